/*
 * supersession.h — a message recalled or corrected, as the broker keeps
 * it and the wire carries it to the holders of the original: which
 * message superseded it, whether that was a recall or a correction,
 * when and by whom (docs/protocol.md "Recall and correction").
 *
 * A message is superseded at most once; a recall's reason stays in the
 * recall's encrypted body. Thread safety: a plain value.
 */
#ifndef LIA_SUPERSESSION_H
#define LIA_SUPERSESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "marking.h"

struct lia_supersession {
	bool present;             /* false: not superseded (or not as far as the reader may know) */
	bool recall;              /* a recall; else a correction */
	uint8_t by[LIA_ID_BYTES]; /* the message that superseded it */
	int64_t at;               /* when the broker accepted that message */
	char actor[LIA_NAME_MAX]; /* who sent it */
};

#endif

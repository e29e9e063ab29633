/*
 * header_int.h — conversion between the Header protobuf and struct
 * lia_header, internal to core. Parsing validates every field; encoding
 * produces the bytes that get signed.
 */
#ifndef LIA_HEADER_INT_H
#define LIA_HEADER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "marking.h"

/* Encode h; *out malloc'd. -1 on allocation failure or invalid h. */
int lia_header_encode(const struct lia_header *h, uint8_t **out, size_t *out_len, const char **why);

#endif

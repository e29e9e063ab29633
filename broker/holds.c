/* holds.c — see holds.h. */
#include "holds.h"

#include <stdio.h>
#include <string.h>

int lia_holds(struct lia_broker *b, const char *subject, const uint8_t id[static LIA_ID_BYTES], int64_t now,
	      struct lia_store_delivery *d)
{
	int found = lia_store_delivery_of(b->store, subject, id, now, d);
	if (found != 0)
		return found;
	struct lia_store_message m;
	found = lia_store_message_find(b->store, id, &m);
	if (found != 1 || strcmp(m.originator, subject) != 0)
		return found < 0 ? -1 : 0;
	memset(d, 0, sizeof *d);
	d->message_seq = m.seq;
	memcpy(d->message_id, m.id, LIA_ID_BYTES);
	memcpy(d->originator, m.originator, LIA_NAME_MAX);
	snprintf(d->recipient, sizeof d->recipient, "%s", subject);
	memcpy(d->via, "own", 4);
	d->kind = m.kind;
	d->created_at = m.created_at;
	d->received_at = m.received_at;
	d->expires_at = m.expires_at;
	d->erased = m.erased || (m.expires_at != 0 && m.expires_at <= now);
	return 1;
}

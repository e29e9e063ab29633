/*
 * store_int.h — the SQLite connection under a store, for the unit of
 * work (unit.c) alone: it shares the connection with the ledger so that
 * one transaction holds both. Nothing outside store/ includes this.
 */
#ifndef LIA_STORE_INT_H
#define LIA_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* The store's connection (borrowed; the store closes it). */
sqlite3 *lia_store_sqlite(struct lia_store *s);

#endif

/*
 * ledger_sqlite.h — the ledger's SQLite storage: the backend of
 * ledger_storage.h over a connection, and the connection itself for the
 * few callers that must see it.
 *
 * Who includes this: store/unit.c (the unit of work shares its
 * connection with the ledger, so that one transaction holds a turn's
 * deliveries and records), the SQLite backend itself, and tests and
 * benches that deliberately work behind the ledger's back (tampering,
 * raw baselines). Everyone else opens a ledger by path
 * (lia_ledger_open_file) or is handed one, and names no database type.
 *
 * Errors: NULL with err. Thread safety: as the connection's.
 */
#ifndef LIA_LEDGER_SQLITE_H
#define LIA_LEDGER_SQLITE_H

#include <sqlite3.h>

#include "ledger.h"

/* Open the ledger stored in db (borrowed: the caller keeps and closes
 * it). With origin non-NULL, create the tables when absent and refuse a
 * ledger of another origin; with origin NULL, require an existing ledger.
 * The origin is the checkpoint origin line and note key name, e.g.
 * "liaison.example/eu-central/ledger" (see lia_note_name_valid). */
struct lia_ledger *lia_ledger_open(sqlite3 *db, const char *origin, char err[static LIA_ERR_MAX]);

/* The connection under a ledger opened by this backend (borrowed), or
 * NULL for a ledger over another backend. */
sqlite3 *lia_ledger_db(struct lia_ledger *l);

#endif

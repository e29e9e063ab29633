/*
 * backup.c — the online copy of the broker's database (backup.h).
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ledger.h"
#include "ledger_sqlite.h"
#include "util.h"

/* A busy source (the broker's WAL being reset, a checkpoint in
 * progress) is waited for this many times 100 ms before giving up. */
#define BUSY_TRIES 100

/* fsync the folder holding path, so that the new name survives a crash. */
static void sync_folder(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (n == 0)
		snprintf(dir, sizeof dir, "/");
	else if (n < sizeof dir)
		snprintf(dir, sizeof dir, "%.*s", (int)n, path);
	else
		return;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int exec_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Every page of src into dst, in one read transaction of src. */
static int copy_pages(sqlite3 *src, sqlite3 *dst, struct lia_backup_info *info, char err[static LIA_ERR_MAX])
{
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
	if (bk == NULL)
		return lia_errf(err, "cannot start the backup: %s", sqlite3_errmsg(dst));
	int rc;
	for (int i = 0;; i++) {
		rc = sqlite3_backup_step(bk, -1);
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || i == BUSY_TRIES)
			break;
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	info->pages = (uint64_t)sqlite3_backup_pagecount(bk);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE)
		return lia_errf(err, "the backup did not complete: %s", sqlite3_errstr(rc));
	return 0;
}

/* The copy made self-contained, checked and described. */
static int check_copy(sqlite3 *dst, struct lia_backup_info *info, char err[static LIA_ERR_MAX])
{
	char text[256];
	/* The source's pages say WAL; a backup file is one file. */
	if (exec_text(dst, "PRAGMA journal_mode=DELETE", text, sizeof text) != 0 || strcmp(text, "delete") != 0)
		return lia_errf(err, "cannot make the copy one file (journal mode \"%s\"): %s", text, sqlite3_errmsg(dst));
	if (exec_text(dst, "PRAGMA quick_check", text, sizeof text) != 0 || strcmp(text, "ok") != 0)
		return lia_errf(err, "the copy fails PRAGMA quick_check: %s", text);
	char size[32];
	if (exec_text(dst, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", size,
		      sizeof size) != 0 || lia_parse_u64(size, &info->bytes) != 0)
		return lia_errf(err, "cannot read the copy's size: %s", sqlite3_errmsg(dst));
	struct lia_ledger *l = lia_ledger_open(dst, NULL, err);
	if (l == NULL)
		return -1;
	int rc = -1;
	char *note = NULL;
	size_t len = 0;
	uint64_t cp_size = 0;
	if (lia_ledger_size(l, &info->ledger_records, err) != 0)
		goto out;
	snprintf(info->origin, sizeof info->origin, "%s", lia_ledger_origin(l));
	int got = lia_ledger_checkpoint_latest(l, &cp_size, &note, &len, err);
	if (got < 0)
		goto out;
	if (got == 0) {
		/* The note's text ends at its blank line; the signature is the
		 * broker's to check (liaison-audit verify). */
		const char *blank = strstr(note, "\n\n");
		char why[LIA_ERR_MAX];
		if (blank == NULL ||
		    lia_checkpoint_parse(&info->checkpoint, note, (size_t)(blank - note) + 1, why) != 0) {
			lia_errf(err, "the copy's latest checkpoint (size %llu) is malformed", (unsigned long long)cp_size);
			goto out;
		}
		info->has_checkpoint = true;
	}
	rc = 0;
out:
	free(note);
	lia_ledger_destroy(&l);
	return rc;
}

int lia_store_backup(const char *db_path, const char *out_path, struct lia_backup_info *info,
		     char err[static LIA_ERR_MAX])
{
	memset(info, 0, sizeof *info);
	sqlite3 *src = NULL, *dst = NULL;
	struct stat made, now;
	bool ours = true; /* out_path is still the file created here */
	char journal[PATH_MAX];
	int w = snprintf(journal, sizeof journal, "%s-journal", out_path);
	if (w < 0 || (size_t)w >= sizeof journal)
		return lia_errf(err, "path too long: \"%s\"", out_path);
	/* The name is ours before SQLite sees it: never an existing file,
	 * never through a symbolic link, 0600 whatever the umask. */
	int fd = open(out_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return lia_errf(err, "refusing to overwrite \"%s\": file exists", out_path);
		return lia_errf(err, "cannot create \"%s\": %s", out_path, strerror(errno));
	}
	if (fchmod(fd, 0600) != 0 || fstat(fd, &made) != 0) {
		lia_errf(err, "cannot set up \"%s\": %s", out_path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(db_path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		lia_errf(err, "cannot open the store \"%s\": %s", db_path, src ? sqlite3_errmsg(src) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(src, 5000);
	if (sqlite3_open_v2(out_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		lia_errf(err, "cannot open the copy \"%s\": %s", out_path, dst ? sqlite3_errmsg(dst) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(dst, 5000);
	/* The file SQLite wrote must be the one created above. */
	if (stat(out_path, &now) != 0 || now.st_dev != made.st_dev || now.st_ino != made.st_ino) {
		lia_errf(err, "\"%s\" was replaced while the copy was being set up", out_path);
		ours = false;
		goto fail;
	}
	if (copy_pages(src, dst, info, err) != 0 || check_copy(dst, info, err) != 0)
		goto fail;
	sqlite3_close(src);
	src = NULL;
	if (sqlite3_close(dst) != SQLITE_OK) {
		lia_errf(err, "cannot close the copy \"%s\"", out_path);
		dst = NULL;
		goto fail;
	}
	dst = NULL;
	if (fsync(fd) != 0) {
		lia_errf(err, "cannot write \"%s\": %s", out_path, strerror(errno));
		goto fail;
	}
	close(fd);
	sync_folder(out_path);
	return 0;
fail:
	if (src != NULL)
		sqlite3_close(src);
	if (dst != NULL)
		sqlite3_close(dst);
	/* A copy that is not whole is no backup: remove it, if the name is
	 * still the file created above. */
	if (ours) {
		unlink(out_path);
		unlink(journal);
	}
	close(fd);
	return -1;
}

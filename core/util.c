/*
 * util.c — files, time, numbers and command-line conventions.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int lia_errf(char err[static LIA_ERR_MAX], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err, LIA_ERR_MAX, fmt, ap);
	va_end(ap);
	if (n >= LIA_ERR_MAX)
		memcpy(err + LIA_ERR_MAX - 4, "...", 4);
	return -1;
}

static int read_fd(int fd, const char *path, size_t max_bytes, uint8_t **out, size_t *out_len,
		   char err[static LIA_ERR_MAX])
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return lia_errf(err, "cannot stat \"%s\": %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lia_errf(err, "\"%s\" is not a regular file", path);
	if (st.st_size < 0 || (uint64_t)st.st_size > max_bytes)
		return lia_errf(err, "\"%s\" is too large: %lld bytes, at most %zu allowed", path,
				(long long)st.st_size, max_bytes);
	size_t cap = (size_t)st.st_size;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (buf == NULL)
		return lia_errf(err, "out of memory reading \"%s\"", path);
	size_t len = 0;
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return lia_errf(err, "cannot read \"%s\": %s", path, strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	/* The file may have grown since fstat: anything beyond is refused. */
	uint8_t extra;
	ssize_t r = read(fd, &extra, 1);
	if (r > 0) {
		free(buf);
		return lia_errf(err, "\"%s\" changed while being read", path);
	}
	*out = buf;
	*out_len = len;
	return 0;
}

static int read_common(const char *path, size_t max_bytes, uint8_t **out, size_t *out_len,
		       int private_only, char err[static LIA_ERR_MAX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return lia_errf(err, "cannot open \"%s\": %s", path, strerror(errno));
	if (private_only) {
		struct stat st;
		if (fstat(fd, &st) != 0) {
			int e = errno;
			close(fd);
			return lia_errf(err, "cannot stat \"%s\": %s", path, strerror(e));
		}
		if (st.st_mode & (S_IRWXG | S_IRWXO)) {
			close(fd);
			return lia_errf(err,
					"refusing \"%s\": mode %04o lets group or others read it; "
					"run chmod 600 on it",
					path, (unsigned)(st.st_mode & 07777));
		}
	}
	int rc = read_fd(fd, path, max_bytes, out, out_len, err);
	close(fd);
	return rc;
}

int lia_file_read(const char *path, size_t max_bytes, uint8_t **out, size_t *out_len,
		  char err[static LIA_ERR_MAX])
{
	return read_common(path, max_bytes, out, out_len, 0, err);
}

int lia_stdin_read(size_t max_bytes, uint8_t **out, size_t *out_len, char err[static LIA_ERR_MAX])
{
	/* A pipe or a terminal has no size to check first: read in growing
	 * chunks, and refuse at the first byte beyond max_bytes. */
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	if (buf == NULL)
		return lia_errf(err, "out of memory reading the standard input");
	for (;;) {
		if (len == cap) {
			if (cap > max_bytes) {
				free(buf);
				return lia_errf(err, "the standard input holds more than %zu bytes", max_bytes);
			}
			uint8_t *grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				free(buf);
				return lia_errf(err, "out of memory reading the standard input");
			}
			buf = grown;
			cap *= 2;
		}
		ssize_t r = read(0, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return lia_errf(err, "cannot read the standard input: %s", strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > max_bytes) {
		free(buf);
		return lia_errf(err, "the standard input holds more than %zu bytes", max_bytes);
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int lia_file_read_private(const char *path, size_t max_bytes, uint8_t **out, size_t *out_len,
			  char err[static LIA_ERR_MAX])
{
	return read_common(path, max_bytes, out, out_len, 1, err);
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so a new name survives a crash. */
static void sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash == NULL) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		size_t n = (size_t)(slash - path);
		if (n == 0)
			n = 1;
		if (n >= sizeof dir)
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static int write_new(const char *path, const uint8_t *data, size_t len, mode_t mode,
		     char err[static LIA_ERR_MAX])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return lia_errf(err, "refusing to overwrite \"%s\": file exists", path);
		return lia_errf(err, "cannot create \"%s\": %s", path, strerror(errno));
	}
	/* The umask may have narrowed mode; make it exactly what was asked. */
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return lia_errf(err, "cannot write \"%s\": %s", path, strerror(e));
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		return lia_errf(err, "cannot write \"%s\": %s", path, strerror(e));
	}
	return 0;
}

int lia_file_write_new(const char *path, const uint8_t *data, size_t len, mode_t mode,
		       char err[static LIA_ERR_MAX])
{
	if (write_new(path, data, len, mode, err) != 0)
		return -1;
	sync_parent(path);
	return 0;
}

int lia_file_replace(const char *path, const uint8_t *data, size_t len, mode_t mode,
		     char err[static LIA_ERR_MAX])
{
	char tmp[PATH_MAX];
	uint8_t rnd[6];
	char rhex[13];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(rhex, sizeof rhex, rnd, sizeof rnd);
	int n = snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, rhex);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return lia_errf(err, "path too long: \"%s\"", path);
	if (write_new(tmp, data, len, mode, err) != 0)
		return -1;
	if (rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return lia_errf(err, "cannot replace \"%s\": %s", path, strerror(e));
	}
	sync_parent(path);
	return 0;
}

int64_t lia_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int64_t *out)
{
	int64_t v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int lia_duration_parse(const char *s, int64_t *seconds)
{
	size_t len = strlen(s);
	int64_t unit = 1;
	char num[24];
	if (len > 1 && strchr("smhd", s[len - 1]) != NULL) {
		unit = s[len - 1] == 's' ? 1 : s[len - 1] == 'm' ? 60 : s[len - 1] == 'h' ? 3600 : 86400;
		len--;
	}
	if (len == 0 || len >= sizeof num)
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	uint64_t v;
	if (lia_parse_u64(num, &v) != 0 || v > (uint64_t)(LIA_DURATION_MAX / unit))
		return -1;
	*seconds = (int64_t)v * unit;
	return 0;
}

int lia_time_parse(const char *s, int64_t *out)
{
	if (s[0] == '@')
		return lia_parse_i64(s + 1, out);
	/* From now: "+7d", or "72h" (a unit is needed: "2026" is no time). */
	size_t n = strlen(s);
	int64_t ahead;
	if (n > 1 && strchr("smhd", s[n - 1]) != NULL &&
	    lia_duration_parse(s[0] == '+' ? s + 1 : s, &ahead) == 0) {
		*out = lia_now() + ahead;
		return 0;
	}
	size_t len = strlen(s);
	int64_t y, mo, d, h = 0, mi = 0, se = 0;
	if (len != 10 && len != 20)
		return -1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	if (len == 20) {
		if (s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
		    digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se) || s[19] != 'Z')
			return -1;
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

void lia_time_format(int64_t t, char out[static 32])
{
	if (t == 0) {
		memcpy(out, "-", 2);
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "@%" PRId64, t);
}

int lia_parse_u64(const char *s, uint64_t *out)
{
	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int lia_parse_i64(const char *s, int64_t *out)
{
	if (s == NULL || s[0] == '\0' || s[0] == '+' || s[0] == ' ')
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = (int64_t)v;
	return 0;
}

void lia_hex(char *out, const uint8_t *bin, size_t len)
{
	sodium_bin2hex(out, 2 * len + 1, bin, len);
}

int lia_unhex(uint8_t *bin, size_t len, const char *hex)
{
	size_t got = 0;
	const char *end = NULL;
	if (strlen(hex) != 2 * len)
		return -1;
	if (sodium_hex2bin(bin, len, hex, 2 * len, NULL, &got, &end) != 0 || got != len ||
	    *end != '\0')
		return -1;
	return 0;
}

bool lia_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	if (nc != NULL && nc[0] != '\0')
		return false;
	const char *term = getenv("TERM");
	if (term != NULL && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f)) == 1;
}

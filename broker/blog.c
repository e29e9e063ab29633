/* blog.c — see blog.h. */
#include "blog.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>

#include "util.h"

void lia_blog(const char *event, const char *fmt, ...)
{
	char ts[32];
	lia_time_format(lia_now(), ts);
	fprintf(stderr, "%s %s ", ts, event);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * kill_hook.c — linked only into liaison-hooked, the test build of the
 * liaison program (fault_listener.sh): LIAISON_TEST_KILL=POINT:N makes the
 * process kill itself with SIGKILL the Nth time a listener reaches POINT
 * ("received", "pending", "output", "shown", "acked": agent/receive.h), as
 * a crash there would. The liaison program has no such code: its
 * lia_receive_hook stays NULL.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "receive.h"

static char point[32];
static unsigned long nth, seen;

static void kill_at(const char *p)
{
	if (strcmp(p, point) == 0 && ++seen == nth)
		raise(SIGKILL);
}

__attribute__((constructor)) static void kill_hook_install(void)
{
	const char *v = getenv("LIAISON_TEST_KILL");
	const char *colon = v != NULL ? strchr(v, ':') : NULL;
	if (colon == NULL || (size_t)(colon - v) >= sizeof point)
		return;
	memcpy(point, v, (size_t)(colon - v));
	point[colon - v] = '\0';
	nth = strtoul(colon + 1, NULL, 10);
	if (nth > 0)
		lia_receive_hook = kill_at;
}

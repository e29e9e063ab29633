/*
 * commands.h — the subcommands of `liaison`, one handler each. Internal
 * to the program. Each parses its options, calls the agent library
 * (agent.h lists it) and prints, text or --json:
 *
 *   offline.c      seal, open, verify (envelopes as files)
 *   cmd_admin.c    profile, disclosures, directory, checkpoint
 *   cmd_publish.c  publish, send, reply, forward, erase, recall
 *   cmd_feeds.c    subscribe, unsubscribe, feeds
 *   cmd_inbox.c    listen, inbox, read, thread
 *   cmd_consent.c  consent ask|list|grant|refuse
 *   cmd_verif.c    verification request|answer|list
 *
 * What the online commands share is cmd_int.h.
 */
#ifndef LIA_COMMANDS_H
#define LIA_COMMANDS_H

#include <stdio.h>

#define PROG "liaison"

int lia_cmd_seal(int argc, char **argv);
int lia_cmd_open(int argc, char **argv);
int lia_cmd_profile(int argc, char **argv);
int lia_cmd_publish(int argc, char **argv);
int lia_cmd_send(int argc, char **argv);
int lia_cmd_subscribe(int argc, char **argv);
int lia_cmd_unsubscribe(int argc, char **argv);
int lia_cmd_feeds(int argc, char **argv);
int lia_cmd_listen(int argc, char **argv);
int lia_cmd_inbox(int argc, char **argv);
int lia_cmd_read(int argc, char **argv);
int lia_cmd_disclosures(int argc, char **argv);
int lia_cmd_directory(int argc, char **argv);
int lia_cmd_checkpoint(int argc, char **argv);
int lia_cmd_consent(int argc, char **argv);
int lia_cmd_verification(int argc, char **argv);
int lia_cmd_erase(int argc, char **argv);
int lia_cmd_recall(int argc, char **argv);
int lia_cmd_reply(int argc, char **argv);
int lia_cmd_forward(int argc, char **argv);
int lia_cmd_thread(int argc, char **argv);
int lia_cmd_verify(int argc, char **argv);

/* Print "liaison CMD: msg; see liaison CMD --help" and return exit 2. */
int lia_usage_error(const char *cmd, const char *msg);

#endif

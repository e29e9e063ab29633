/*
 * blog.h — the broker's operational log: one event a line on stderr,
 * "TIME EVENT key=value ...".
 *
 * Owns nothing. Trusts its caller to pass no secret and no payload
 * byte: key ids, subjects, sequence numbers and reasons only. May call
 * stdio and core's clock. Never fails (a lost log line is not an error
 * the loop could act on).
 */
#ifndef LIA_BROKER_BLOG_H
#define LIA_BROKER_BLOG_H

void lia_blog(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

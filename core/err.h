/*
 * err.h — the size of the error buffer every fallible Liaison function
 * fills: `char err[static LIA_ERR_MAX]`, a NUL-terminated lowercase
 * message saying what failed on what, never secrets. A header of its
 * own so that a module needing only this does not include key files.
 */
#ifndef LIA_ERR_H
#define LIA_ERR_H

#define LIA_ERR_MAX 256

#endif

/* kibitz-resume-ledger.h: which resume token of each peer id is the current
 * one, so that each welcome's token retires the one before it and `leave`
 * retires it for good, across server restarts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _KibitzResumeLedger KibitzResumeLedger;

/* @path: an append-only file in the state directory, shared safely by
 * servers that use the same directory; NULL keeps the ledger in memory. */
KibitzResumeLedger *kibitz_resume_ledger_new        (const char         *path,
                                                     gint64              now_unix);
void                kibitz_resume_ledger_free       (KibitzResumeLedger *self);
/* Records a new token for @id expiring at @expiry, or one second after the
 * current one if that is later (tokens differ by expiry); returns it. */
gint64              kibitz_resume_ledger_issue      (KibitzResumeLedger *self,
                                                     const char         *id,
                                                     gint64              expiry);
gboolean            kibitz_resume_ledger_is_current (KibitzResumeLedger *self,
                                                     const char         *id,
                                                     gint64              expiry);
void                kibitz_resume_ledger_forget     (KibitzResumeLedger *self,
                                                     const char         *id);
/* Drops expired entries; rewrites the file when mostly stale. */
void                kibitz_resume_ledger_tick       (KibitzResumeLedger *self,
                                                     gint64              now_unix);
guint               kibitz_resume_ledger_size       (KibitzResumeLedger *self);

G_END_DECLS

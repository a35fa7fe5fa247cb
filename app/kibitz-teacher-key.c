/* kibitz-teacher-key.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-teacher-key"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "kibitz-join-link.h"
#include "kibitz-teacher-key.h"

G_DEFINE_QUARK (kibitz-teacher-key-error-quark, kibitz_teacher_key_error)

/* What a keyring browser (Seahorse, KWalletManager) shows as the item's kind. */
static const SecretSchema *
teacher_key_schema (void)
{
  static const SecretSchema schema = {
    "io.github.kibitz.Kibitz.TeacherKey", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

char *
kibitz_teacher_key_normalize_server (const char  *server_url,
                                     GError     **error)
{
  char *origin;

  g_return_val_if_fail (server_url != NULL, NULL);

  if (!(origin = kibitz_server_origin (server_url)))
    g_set_error (error, KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_BAD_SERVER,
                 _("“%s” is not a server address: it starts with http:// or https://, "
                   "like https://class.school.example."), server_url);
  return origin;
}

static gboolean
is_key_character (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

gboolean
kibitz_teacher_key_check_shape (const char  *key,
                                GError     **error)
{
  g_auto(GStrv) parts = NULL;
  gboolean complete;

  g_return_val_if_fail (key != NULL, FALSE);

  if (key[0] == '\0')
    {
      g_set_error_literal (error, KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_MALFORMED,
                           _("Paste your teacher key first."));
      return FALSE;
    }
  if (!g_str_has_prefix (key, "kt1."))
    {
      g_set_error_literal (error, KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_MALFORMED,
                           _("This is not a teacher key: a teacher key starts with “kt1.”. "
                             "Paste the whole line the server’s operator gave you."));
      return FALSE;
    }

  parts = g_strsplit (key, ".", -1);
  complete = g_strv_length (parts) == 5;
  for (guint i = 1; parts[i] != NULL; i++)
    {
      complete &= parts[i][0] != '\0';
      for (const char *c = parts[i]; *c != '\0'; c++)
        if (!is_key_character (*c))
          {
            g_set_error_literal (error, KIBITZ_TEACHER_KEY_ERROR,
                                 KIBITZ_TEACHER_KEY_ERROR_MALFORMED,
                                 _("A teacher key has only letters, digits, “-” and “_” between "
                                   "its dots, and this one has something else (a space?). "
                                   "Copy it again."));
            return FALSE;
          }
    }
  if (!complete)
    {
      g_set_error_literal (error, KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_MALFORMED,
                           _("This teacher key is incomplete: after “kt1.” it has four parts "
                             "separated by dots. Copy the whole line again."));
      return FALSE;
    }
  return TRUE;
}

/* Every failure of the keyring itself (no Secret Service on the bus, no
 * bus, a locked keyring whose prompt was dismissed) is one sentence for
 * the person; what libsecret said goes to the log. Our own cancellation
 * stays a cancellation. */
static GError *
keyring_error (GTask  *task,
               GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return g_error_copy (error);

  g_message ("the keyring failed: %s", error->message);
  return g_error_new_literal (KIBITZ_TEACHER_KEY_ERROR, KIBITZ_TEACHER_KEY_ERROR_UNAVAILABLE,
                              _("Kibitz cannot reach your keyring, where it keeps teacher keys. "
                                "Make sure your desktop’s keyring (such as GNOME Keyring or "
                                "KWallet) is running and unlocked, then try again."));
}

/* The task for one keyring request, or NULL after returning the server
 * address's error through it. */
static GTask *
start_task (const char          *server_url,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag,
            char               **server)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  *server = kibitz_teacher_key_normalize_server (server_url, &error);
  if (*server == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  return g_steal_pointer (&task);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, keyring_error (task, error));
}

void
kibitz_teacher_key_store_async (const char          *server_url,
                                const char          *key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *server = NULL;
  g_autofree char *label = NULL;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (server_url != NULL && key != NULL);

  task = start_task (server_url, cancellable, callback, user_data,
                     kibitz_teacher_key_store_async, &server);
  if (task == NULL)
    return;
  if (!kibitz_teacher_key_check_shape (key, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  /* TRANSLATORS: the keyring item's name, as a keyring browser shows it */
  label = g_strdup_printf (_("Kibitz teacher key for %s"), server);
  secret_password_store (teacher_key_schema (), SECRET_COLLECTION_DEFAULT, label, key,
                         cancellable, stored_cb, task, "server", server, NULL);
}

gboolean
kibitz_teacher_key_store_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kibitz_teacher_key_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A search, then the secret of what it found, rather than
 * secret_password_lookup(): libsecret 0.20.5 (Debian 12) keeps the reply
 * of the latter's GetSecrets call, the secret in it, for good. Both go
 * through libsecret's backend, so in a Flatpak through the Secret portal. */
static void
retrieved_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretValue) value = secret_retrievable_retrieve_secret_finish (
                                   SECRET_RETRIEVABLE (source), result, &error);

  if (error != NULL)
    g_task_return_error (task, keyring_error (task, error));
  else
    /* No value: a keyring the person did not unlock has no key for us. */
    g_task_return_pointer (task, value ? g_strdup (secret_value_get_text (value)) : NULL, g_free);
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  GList *found = secret_password_search_finish (result, &error);

  if (found != NULL)
    {
      /* The task goes on to retrieved_cb. */
      secret_retrievable_retrieve_secret (found->data, g_task_get_cancellable (task),
                                          retrieved_cb, task);
      g_list_free_full (found, g_object_unref);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, keyring_error (task, error));
  else
    g_task_return_pointer (task, NULL, NULL);
  g_object_unref (task);
}

void
kibitz_teacher_key_lookup_async (const char          *server_url,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *server = NULL;
  GTask *task;

  g_return_if_fail (server_url != NULL);

  task = start_task (server_url, cancellable, callback, user_data,
                     kibitz_teacher_key_lookup_async, &server);
  if (task != NULL)
    secret_password_search (teacher_key_schema (), SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                            cancellable, searched_cb, task, "server", server, NULL);
}

char *
kibitz_teacher_key_lookup_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kibitz_teacher_key_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
forgotten_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean removed = secret_password_clear_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, keyring_error (task, error));
  else
    g_task_return_boolean (task, removed);
}

void
kibitz_teacher_key_forget_async (const char          *server_url,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *server = NULL;
  GTask *task;

  g_return_if_fail (server_url != NULL);

  task = start_task (server_url, cancellable, callback, user_data,
                     kibitz_teacher_key_forget_async, &server);
  if (task != NULL)
    secret_password_clear (teacher_key_schema (), cancellable, forgotten_cb, task,
                           "server", server, NULL);
}

gboolean
kibitz_teacher_key_forget_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kibitz_teacher_key_forget_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* kibitz-ws-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-ws-guard"

#include "config.h"

#include <string.h>

#include "kibitz-ws-guard.h"

/* The input half: a pollable stream that passes bytes through unchanged and
 * parses RFC 6455 frame headers on the way.
 */
#define GUARD_TYPE_INPUT (guard_input_get_type ())
G_DECLARE_FINAL_TYPE (GuardInput, guard_input, GUARD, INPUT, GInputStream)

struct _GuardInput {
  GInputStream           parent_instance;
  GInputStream          *base;
  guint64                limit;
  guint8                 header[14];
  guint                  header_len;
  guint64                payload_left;
  guint64                message_size;
  gboolean               tripped;
  KibitzWsGuardTripFunc  func;
  gpointer               user_data;
  GDestroyNotify         destroy;
};

static void guard_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_TYPE_WITH_CODE (GuardInput, guard_input, G_TYPE_INPUT_STREAM,
                         G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                guard_input_pollable_init))

static guint
header_size (const guint8 *header)
{
  guint size = 2 + ((header[1] & 0x80) ? 4 : 0);

  switch (header[1] & 0x7f)
    {
    case 126:
      return size + 2;
    case 127:
      return size + 8;
    default:
      return size;
    }
}

static guint64
header_payload_length (const guint8 *header)
{
  guint64 length = header[1] & 0x7f;

  if (length == 126)
    return ((guint64) header[2] << 8) | header[3];

  if (length == 127)
    {
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = (length << 8) | header[i];
    }

  return length;
}

/* A complete header was read: returns FALSE if its frame breaks the limit. */
static gboolean
account_frame (GuardInput *self)
{
  guint8 opcode = self->header[0] & 0x0f;
  guint64 length = header_payload_length (self->header);

  self->payload_left = length;

  /* Control frames (close, ping, pong) are never part of a message. */
  if (opcode & 0x08)
    return TRUE;

  if (opcode != 0)
    self->message_size = 0;

  if (length > self->limit || self->message_size > self->limit - length)
    {
      self->message_size = length > G_MAXUINT64 - self->message_size
                           ? G_MAXUINT64 : self->message_size + length;
      return FALSE;
    }

  self->message_size += length;
  return TRUE;
}

/* Scans @count bytes; returns how many of them may go on to libsoup. */
static gsize
scan (GuardInput   *self,
      const guint8 *data,
      gsize         count)
{
  gsize at = 0;

  while (at < count)
    {
      gsize header_start;

      if (self->payload_left > 0)
        {
          gsize skip = MIN (self->payload_left, count - at);

          self->payload_left -= skip;
          at += skip;
          continue;
        }

      header_start = at;
      while (at < count && (self->header_len < 2 ||
                            self->header_len < header_size (self->header)))
        self->header[self->header_len++] = data[at++];

      if (self->header_len < 2 || self->header_len < header_size (self->header))
        break;

      self->header_len = 0;
      if (!account_frame (self))
        {
          self->tripped = TRUE;
          g_debug ("message of at least %" G_GUINT64_FORMAT " bytes refused", self->message_size);
          if (self->func)
            self->func (self->message_size, self->user_data);
          return header_start;
        }
    }

  return count;
}

static gssize
guard_input_read_nonblocking (GPollableInputStream  *stream,
                              void                  *buffer,
                              gsize                  count,
                              GError               **error)
{
  GuardInput *self = GUARD_INPUT (stream);
  gssize n;
  gsize pass;

  if (self->tripped)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Message too large");
      return -1;
    }

  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base),
                                                buffer, count, NULL, error);
  if (n <= 0)
    return n;

  pass = scan (self, buffer, n);
  if (pass == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "Message too large");
      return -1;
    }

  return pass;
}

static gboolean
guard_input_is_readable (GPollableInputStream *stream)
{
  GuardInput *self = GUARD_INPUT (stream);

  return !self->tripped && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
guard_input_can_poll (GPollableInputStream *stream)
{
  GuardInput *self = GUARD_INPUT (stream);

  return g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
guard_input_create_source (GPollableInputStream *stream,
                           GCancellable         *cancellable)
{
  GuardInput *self = GUARD_INPUT (stream);
  GSource *source = g_pollable_source_new (G_OBJECT (self));

  /* Once tripped, the stream never becomes readable again: libsoup waits
   * while the server sends its error and closes the connection.
   */
  if (!self->tripped)
    {
      g_autoptr(GSource) base = g_pollable_input_stream_create_source (
        G_POLLABLE_INPUT_STREAM (self->base), NULL);

      g_source_set_dummy_callback (base);
      g_source_add_child_source (source, base);
    }

  if (cancellable)
    {
      g_autoptr(GSource) cancel = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancel);
      g_source_add_child_source (source, cancel);
    }

  return source;
}

static void
guard_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = guard_input_can_poll;
  iface->is_readable = guard_input_is_readable;
  iface->create_source = guard_input_create_source;
  iface->read_nonblocking = guard_input_read_nonblocking;
}

static gssize
guard_input_read (GInputStream  *stream,
                  void          *buffer,
                  gsize          count,
                  GCancellable  *cancellable,
                  GError       **error)
{
  GuardInput *self = GUARD_INPUT (stream);
  gssize n;

  if (self->tripped)
    return 0;

  n = g_input_stream_read (self->base, buffer, count, cancellable, error);
  if (n <= 0)
    return n;

  return scan (self, buffer, n);
}

static gboolean
guard_input_close (GInputStream  *stream,
                   GCancellable  *cancellable,
                   GError       **error)
{
  /* The base stream is closed with its GIOStream. */
  return TRUE;
}

static void
guard_input_finalize (GObject *object)
{
  GuardInput *self = GUARD_INPUT (object);

  if (self->destroy)
    self->destroy (self->user_data);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (guard_input_parent_class)->finalize (object);
}

static void
guard_input_class_init (GuardInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = guard_input_finalize;
  stream_class->read_fn = guard_input_read;
  stream_class->close_fn = guard_input_close;
}

static void
guard_input_init (GuardInput *self)
{
}

/* The GIOStream: the guarded input, the base stream's output. */

struct _KibitzWsGuard {
  GIOStream   parent_instance;
  GIOStream  *base;
  GuardInput *input;
};

G_DEFINE_FINAL_TYPE (KibitzWsGuard, kibitz_ws_guard, G_TYPE_IO_STREAM)

static GInputStream *
kibitz_ws_guard_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (KIBITZ_WS_GUARD (stream)->input);
}

static GOutputStream *
kibitz_ws_guard_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (KIBITZ_WS_GUARD (stream)->base);
}

static gboolean
kibitz_ws_guard_close (GIOStream     *stream,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return g_io_stream_close (KIBITZ_WS_GUARD (stream)->base, cancellable, error);
}

static void
base_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
kibitz_ws_guard_close_async (GIOStream           *stream,
                             int                  io_priority,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, kibitz_ws_guard_close_async);
  g_io_stream_close_async (KIBITZ_WS_GUARD (stream)->base, io_priority, cancellable,
                           base_closed_cb, task);
}

static gboolean
kibitz_ws_guard_close_finish (GIOStream     *stream,
                              GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
kibitz_ws_guard_finalize (GObject *object)
{
  KibitzWsGuard *self = KIBITZ_WS_GUARD (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (kibitz_ws_guard_parent_class)->finalize (object);
}

static void
kibitz_ws_guard_class_init (KibitzWsGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = kibitz_ws_guard_finalize;
  stream_class->get_input_stream = kibitz_ws_guard_get_input_stream;
  stream_class->get_output_stream = kibitz_ws_guard_get_output_stream;
  stream_class->close_fn = kibitz_ws_guard_close;
  stream_class->close_async = kibitz_ws_guard_close_async;
  stream_class->close_finish = kibitz_ws_guard_close_finish;
}

static void
kibitz_ws_guard_init (KibitzWsGuard *self)
{
}

GIOStream *
kibitz_ws_guard_new (GIOStream             *base,
                     guint64                limit,
                     KibitzWsGuardTripFunc  func,
                     gpointer               user_data,
                     GDestroyNotify         destroy)
{
  KibitzWsGuard *self = g_object_new (KIBITZ_TYPE_WS_GUARD, NULL);

  self->base = g_object_ref (base);
  self->input = g_object_new (GUARD_TYPE_INPUT, NULL);
  self->input->base = g_object_ref (g_io_stream_get_input_stream (base));
  self->input->limit = limit;
  self->input->func = func;
  self->input->user_data = user_data;
  self->input->destroy = destroy;

  return G_IO_STREAM (self);
}

gboolean
kibitz_ws_guard_is_tripped (KibitzWsGuard *self)
{
  return self->input->tripped;
}

/* After this the guard calls nobody: for when its owner goes away first. */
void
kibitz_ws_guard_disarm (KibitzWsGuard *self)
{
  if (self->input->destroy)
    self->input->destroy (self->input->user_data);
  self->input->func = NULL;
  self->input->user_data = NULL;
  self->input->destroy = NULL;
}

/* kibitz-peer-webrtcbin.c: a new link's webrtcbin set up for a class: ICE
 * servers and addresses, bundling, the jitter buffer, and around the 1.22
 * traps (UPnP, pass-through FEC decoders, libnice's one relay per server).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-peer"

#include "config.h"

#include <string.h>
#include <gst/webrtc/webrtc.h>
#include <agent.h>

#include "kibitz-core-error.h"
#include "kibitz-peer-private.h"

#define GST_CAT_DEFAULT kibitz_peer_debug

static gboolean
restrict_ice_addresses (KibitzPeer          *self,
                        const char * const  *addresses,
                        GError             **error)
{
  g_auto(GStrv) from_env = NULL;

  if (addresses == NULL && g_getenv ("KIBITZ_ICE_ADDRESSES") != NULL)
    {
      from_env = g_strsplit (g_getenv ("KIBITZ_ICE_ADDRESSES"), ",", -1);
      addresses = (const char * const *) from_env;
    }

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      g_autofree char *address = g_strstrip (g_strdup (addresses[i]));
      gboolean ok = FALSE;

      if (address[0] == '\0')
        continue;
      g_signal_emit_by_name (self->ice, "add-local-ip-address", address, &ok);
      if (!ok)
        {
          g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_CONNECTION,
                       "Cannot gather ICE candidates on “%s”: not a local address", address);
          return FALSE;
        }
    }
  return TRUE;
}

/* libnice's UPnP-IGD probe multicasts SSDP on every interface, whatever the
 * address restriction says; webrtcbin never needs it. */
static void
disable_upnp (KibitzPeer *self)
{
  g_autoptr(GObject) agent = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->ice), "agent") == NULL)
    return;
  g_object_get (self->ice, "agent", &agent, NULL);
  if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
    g_object_set (agent, "upnp", FALSE, NULL);
}

/* Kibitz never negotiates ULPFEC (no transceiver has a "fec-type"), yet
 * webrtcbin 1.22.0 answers every new incoming SSRC of its rtpbin with an
 * rtpulpfecdec that only passes packets through, and keeps a reference in a
 * list of its transport stream. When that request races a teardown, the
 * decoder and its list node are never freed (LeakSanitizer caught it about
 * once in ten loaded runs of the churn and network-lab tests). Blocking that
 * one handler of webrtcbin's leaves rtpbin without a FEC decoder, which is
 * what no FEC means anyway. */
static void
skip_fec_decoders (KibitzPeer *self)
{
  g_autoptr(GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (self->webrtcbin), "rtpbin");
  guint signal_id;

  if (rtpbin == NULL)
    return;
  signal_id = g_signal_lookup ("request-fec-decoder-full", G_OBJECT_TYPE (rtpbin));
  if (signal_id == 0 ||
      g_signal_handlers_block_matched (rtpbin, G_SIGNAL_MATCH_ID | G_SIGNAL_MATCH_DATA, signal_id,
                                       0, NULL, NULL, self->webrtcbin) == 0)
    g_debug ("webrtcbin's FEC decoder request handler was not found; left as it is");
}

/* The first "turn:" URL over UDP (webrtcbin's form: turn://user:pass@host:port
 * with ?transport=udp or no transport, which means both). */
static const char *
first_udp_turn_server (const char * const *urls)
{
  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    if (g_str_has_prefix (urls[i], "turn://") &&
        (strstr (urls[i], "transport=") == NULL || strstr (urls[i], "transport=udp") != NULL))
      return urls[i];
  return NULL;
}

gboolean
kibitz_peer_configure_webrtcbin (KibitzPeer               *self,
                                 const KibitzPeerOptions  *options,
                                 GError                  **error)
{
  const char *first_udp;

  g_object_set (self->webrtcbin,
                "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE,
                "latency", options->latency_ms ? options->latency_ms : KIBITZ_DEFAULT_LATENCY_MS,
                NULL);
  if (options->stun_server != NULL)
    g_object_set (self->webrtcbin, "stun-server", options->stun_server, NULL);
  if (options->relay_only)
    g_object_set (self->webrtcbin, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
                  NULL);

  /* libnice 0.1.21 keeps one relay candidate per TURN server address: the
   * allocation that completes first wins and the others are dropped as
   * "redundant". The first TURN server webrtcbin hands to libnice is its
   * "turn-server" property, the others follow in hash-table order; so the
   * UDP one goes first, and TCP wins only where UDP cannot reach the server
   * (otherwise every relayed link ran over TCP, with its head-of-line
   * blocking on any loss). */
  first_udp = first_udp_turn_server (options->turn_servers);
  if (first_udp != NULL)
    g_object_set (self->webrtcbin, "turn-server", first_udp, NULL);

  for (guint i = 0; options->turn_servers != NULL && options->turn_servers[i] != NULL; i++)
    {
      gboolean ok = FALSE;

      if (options->turn_servers[i] == first_udp)
        continue;
      g_signal_emit_by_name (self->webrtcbin, "add-turn-server", options->turn_servers[i], &ok);
      if (!ok)
        {
          g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_CONNECTION,
                       "webrtcbin refused a TURN server (is it turn://user:pass@host:port?)");
          return FALSE;
        }
    }

  g_object_get (self->webrtcbin, "ice-agent", &self->ice, NULL);
  if (self->ice == NULL)
    {
      g_set_error (error, KIBITZ_CORE_ERROR, KIBITZ_CORE_ERROR_PIPELINE, "webrtcbin has no ICE agent");
      return FALSE;
    }
  disable_upnp (self);
  skip_fec_decoders (self);
  return restrict_ice_addresses (self, options->ice_addresses, error);
}

static gpointer
make_dtls_key_cb (gpointer data)
{
  gint64 start = g_get_monotonic_time ();
  GstElement *dtls = gst_element_factory_make ("dtlsdec", NULL);

  if (dtls != NULL)
    gst_object_unref (gst_object_ref_sink (dtls));
  GST_INFO ("the DTLS key took %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);
  return NULL;
}

/* GStreamer 1.22's DTLS elements share one RSA-2048 key per process, made
 * under a g_once by the first dtlsdec (in its instance init, even when a
 * certificate is given later). Made lazily it happens inside the first
 * link's negotiation: webrtcbin's operation thread waits for it while it
 * creates the offer or answer. That is 0.1 s on an idle machine, but under
 * AddressSanitizer on a loaded 2-core machine it took up to 16 s, and a class
 * of five lost every link of the participant it happened to (one CI run in
 * ten). Started on a thread of its own when a call starts, the key is ready
 * while the configuration is fetched and the media start. */
static GMutex dtls_lock;
static GThread *dtls_thread;  /* until kibitz_peer_finish_dtls() */
static gboolean dtls_started;

void
kibitz_peer_prepare_dtls (void)
{
  g_mutex_lock (&dtls_lock);
  if (!dtls_started)
    {
      dtls_started = TRUE;
      kibitz_peer_debug_init ();
      dtls_thread = g_thread_new ("kibitz-dtls-key", make_dtls_key_cb, NULL);
    }
  g_mutex_unlock (&dtls_lock);
}

/* Before gst_deinit(): a process that ends while the key is still being
 * made (a second `kibitz` that hands a link to the running one and exits,
 * bad options) would pull GStreamer from under that thread. */
void
kibitz_peer_finish_dtls (void)
{
  GThread *thread;

  g_mutex_lock (&dtls_lock);
  thread = g_steal_pointer (&dtls_thread);
  g_mutex_unlock (&dtls_lock);
  if (thread != NULL)
    g_thread_join (thread);
}

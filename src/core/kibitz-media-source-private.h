/* kibitz-media-source-private.h: what kibitz-media-source.c and
 * kibitz-media-branch.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-media-source.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (kibitz_media_source_debug);

#define PLACEHOLDER_FPS 5
#define AUDIO_KBPS 32
#define MIN_VIDEO_KBPS 100
#define MAX_VIDEO_KBPS 2000

struct _KibitzMediaBranch
{
  KibitzMediaSource       *source;
  KibitzMediaKind          kind;
  guint                    payload_type;
  GstPad                  *tee_pad;
  GstPad                  *sink_pad;
  GstElement              *queue;
  GstElement              *encoder;      /* per-peer mode only */
  GstElement              *payloader;
  GstElement              *capsfilter;
  gulong                   block_probe;
  guint                    fallback_id;
  int                      isolated;     /* atomic: unlinked from the tee */
  KibitzBranchRemovedFunc  done;
  gpointer                 done_data;
};

struct _KibitzMediaSource
{
  GObject            parent_instance;

  GstElement        *pipeline;
  GMainContext      *context;
  char              *display_name;
  KibitzEncoderMode  mode;
  int                max_width;
  int                max_height;
  int                budget_kbps;
  gboolean           echo_cancellation;
  gboolean           camera_enabled;    /* FALSE: the slate is sent */
  gboolean           microphone_enabled;

  GstElement        *camera_source;     /* device or test pattern; NULL with "none" */
  GstElement        *slate_source;
  GstElement        *video_selector;    /* camera or slate; NULL with "none" */
  GstPad            *camera_pad;        /* the selector's sink pads */
  GstPad            *slate_pad;
  GThreadPool       *switcher;          /* one thread: camera/slate switches, in order */
  gboolean           has_microphone;
  GstElement        *audio_volume;
  GstElement        *echo_canceller;    /* NULL: none (a test source, or no plugin) */
  GstElement        *self_view;         /* the bin that shows what we send, if asked */

  GPtrArray         *elements;          /* every fixed element we added */
  GstElement        *video_rate;
  GstElement        *video_caps;
  GstElement        *video_encoder;     /* shared mode */
  GstElement        *audio_encoder;     /* shared mode */
  GstElement        *video_tee;
  GstElement        *audio_tee;
  GList             *branches;

  int                width;
  int                height;
  int                fps;
  int                video_kbps;

  GMutex             keyframe_lock;
  gint64             last_keyframe;
  GSource           *keyframe_source;
  guint              keyframes_forced;
  guint              keyframes_requested;
};

void        kibitz_media_set_arg               (gpointer            object,
                                                const char         *property,
                                                const char         *value);
gboolean    kibitz_media_link_chain            (GPtrArray          *chain,
                                                GError            **error);
GstElement *kibitz_media_make_video_encoder    (KibitzMediaSource  *self,
                                                const char         *name,
                                                GError            **error);
GstElement *kibitz_media_make_audio_encoder    (GError            **error);
/* Adds an element made elsewhere (a source from a setting) as one of ours;
 * NULL stays NULL. */
GstElement *kibitz_media_source_add_made      (KibitzMediaSource  *self,
                                                GstElement         *element);
/* Applies the class plan for the current number of video branches. */
void        kibitz_media_source_apply_plan     (KibitzMediaSource  *self);

/* kibitz-media-branch.c */
void        kibitz_media_branch_free           (KibitzMediaBranch  *branch);
void        kibitz_media_branch_remove_elements (KibitzMediaSource *self,
                                                 KibitzMediaBranch *branch);

G_END_DECLS

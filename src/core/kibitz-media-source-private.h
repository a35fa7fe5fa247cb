/* kibitz-media-source-private.h: what kibitz-media-source.c and
 * kibitz-media-branch.c share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "kibitz-media-source.h"
#include "kibitz-rate-control.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (kibitz_media_source_debug);

#define PLACEHOLDER_FPS 5
#define AUDIO_KBPS 32
#define MIN_VIDEO_KBPS 100
#define MAX_VIDEO_KBPS 2000
#define ADAPTIVE_START_KBPS 500

/* One tier of the shared encoder (kibitz-media-tiers.c). */
typedef struct {
  KibitzTier  tier;
  GstPad     *raw_pad;       /* its pad on the raw tee */
  GstElement *valve;         /* closed while no link uses the tier */
  GstElement *rate;
  GstElement *caps;
  GstElement *encoder;
  GstElement *tee;
  gboolean    layered;       /* three temporal layers */
  gboolean    open;
  int         width;
  int         height;
  int         fps;
  guint       kbps;
  gint64      last_keyframe;  /* keyframe_lock */
  GSource    *keyframe_source;
} KibitzMediaTier;

struct _KibitzMediaBranch
{
  KibitzMediaSource       *source;
  KibitzMediaKind          kind;
  guint                    payload_type;
  guint                    twcc_ext_id;
  GstPad                  *tee_pad;       /* audio, or one encoder per link */
  GstPad                  *head_pad;      /* what feeds the queue: tee_pad or the selector's */
  GstPad                  *sink_pad;
  /* Shared video: every tier's tee feeds the selector, which shows one. */
  GstElement              *selector;
  GstPad                  *tier_pads[KIBITZ_N_TIERS];      /* on the tiers' tees */
  GstPad                  *selector_pads[KIBITZ_N_TIERS];
  int                      tier;           /* atomic: KibitzTier, NONE: no video */
  int                      layer;          /* atomic: the highest temporal layer sent */
  int                      want_keyframe;  /* atomic: drop until a keyframe passes */
  int                      pending_tier;   /* atomic: switch to it at its next keyframe;
                                            * KIBITZ_TIER_NONE: no switch waiting */
  gint64                   keyframe_asked; /* the link's last request that went through */
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
  GstElement        *video_tee;         /* the high tier's, or raw for per-peer encoders */
  GstElement        *raw_tee;           /* shared mode: feeds every tier and the self-view */
  KibitzMediaTier    tiers[KIBITZ_N_TIERS];
  gboolean           adaptive;          /* the call plans tiers; else the class plan */
  GstElement        *audio_tee;
  GList             *branches;

  int                width;
  int                height;
  int                fps;
  int                video_kbps;

  GMutex             keyframe_lock;
  guint              keyframes_forced;
  guint              keyframes_requested;

  /* The shared screen (kibitz-media-screen.c): source -> convert -> scale ->
   * rate -> caps -> valve -> encoder -> tee, the source there while sharing. */
  GstElement        *screen_source;     /* main thread's view: NULL when not sharing */
  GstElement        *screen_convert;
  GstElement        *screen_rate;
  GstElement        *screen_caps;
  GstElement        *screen_valve;
  GstElement        *screen_encoder;
  GstElement        *screen_tee;
  gboolean           screen_shared;
  GMutex             screen_plan_lock;  /* the size and rate below, and setting them */
  int                screen_width;      /* the largest size sent (the source's aspect kept) */
  int                screen_height;
  int                screen_fps;
  int                screen_kbps;
  int                screen_set_kbps;   /* the rate control's; 0: the class plan */
  gint64             screen_keyframe_at; /* keyframe_lock */
  guint              screen_frames;     /* atomic: encoded frames */
};

/* What the switcher thread does, in the order asked (kibitz-media-source.c). */
typedef enum {
  KIBITZ_SWITCH_SLATE = 1,
  KIBITZ_SWITCH_CAMERA,
  KIBITZ_SWITCH_SCREEN_ON,
  KIBITZ_SWITCH_SCREEN_OFF,
} KibitzSwitch;

typedef struct {
  KibitzSwitch  what;
  GstElement   *element;   /* the screen source, a reference */
} KibitzSwitchTask;

void        kibitz_media_switch_push           (KibitzMediaSource  *self,
                                                KibitzSwitch        what,
                                                GstElement         *element);

void        kibitz_media_set_arg               (gpointer            object,
                                                const char         *property,
                                                const char         *value);
gboolean    kibitz_media_link_chain            (GPtrArray          *chain,
                                                GError            **error);
void        kibitz_media_isolate_branch        (GstPad             *sink,
                                                const char         *caps);
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

/* kibitz-media-tiers.c */
gboolean    kibitz_media_build_tiers           (KibitzMediaSource  *self,
                                                GError            **error);
void        kibitz_media_set_raw_format        (GstElement         *filter,
                                                GstElement         *rate,
                                                int                 width,
                                                int                 height,
                                                int                 fps);
/* The same with any caps (taken; NULL: unchanged). */
void        kibitz_media_set_raw_caps          (GstElement         *filter,
                                                GstElement         *rate,
                                                GstCaps            *caps,
                                                int                 fps);
void        kibitz_media_tiers_resize          (KibitzMediaSource  *self,
                                                int                 high_width,
                                                int                 high_height);
void        kibitz_media_tier_set_kbps         (KibitzMediaSource  *self,
                                                KibitzTier          tier,
                                                guint               kbps);
void        kibitz_media_tier_request_keyframe (KibitzMediaSource  *self,
                                                KibitzTier          tier);
void        kibitz_media_tiers_dispose         (KibitzMediaSource  *self);
/* A link's branch and the tiers: the selector fed by every tier's tee. */
GstElement *kibitz_media_branch_make_selector  (KibitzMediaBranch  *branch,
                                                GError            **error);
gboolean    kibitz_media_branch_attach_tiers   (KibitzMediaSource  *self,
                                                KibitzMediaBranch  *branch,
                                                GError            **error);
void        kibitz_media_branch_detach_tiers   (KibitzMediaSource  *self,
                                                KibitzMediaBranch  *branch);
const char *kibitz_media_tier_name             (KibitzTier          tier);

/* kibitz-media-screen.c */
gboolean    kibitz_media_build_screen          (KibitzMediaSource  *self,
                                                GError            **error);
/* On the switcher thread. */
void        kibitz_media_screen_switch         (KibitzMediaSource  *self,
                                                KibitzSwitchTask   *task);
void        kibitz_media_screen_request_keyframe (KibitzMediaSource *self);
void        kibitz_media_screen_apply_plan     (KibitzMediaSource  *self);
/* What the camera may spend of the class budget while a screen is shared. */
int         kibitz_media_screen_camera_budget  (KibitzMediaSource  *self,
                                                int                 budget_kbps,
                                                guint               n_links);
void        kibitz_media_screen_dispose        (KibitzMediaSource  *self);

/* kibitz-media-branch.c */
void        kibitz_media_branch_free           (KibitzMediaBranch  *branch);
void        kibitz_media_branch_remove_elements (KibitzMediaSource *self,
                                                 KibitzMediaBranch *branch);

G_END_DECLS

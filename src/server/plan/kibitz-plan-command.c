/* kibitz-plan-command.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "kibitz-plan.h"
#include "kibitz-plan-command.h"

#define EXIT_BAD_INPUT 2
#define EXIT_NO_DATA 1

typedef struct {
  char     *participants;
  char     *relayed;
  char     *bitrate;
  char     *meetings;
  char     *hours;
  char     *link;
  char     *transfer_limit;
  gboolean  json;
  char     *metrics_url;
  char     *metrics_file;
  char     *room;
  char     *days;
} PlanArgs;

static void
plan_args_clear (PlanArgs *args)
{
  g_free (args->participants);
  g_free (args->relayed);
  g_free (args->bitrate);
  g_free (args->meetings);
  g_free (args->hours);
  g_free (args->link);
  g_free (args->transfer_limit);
  g_free (args->metrics_url);
  g_free (args->metrics_file);
  g_free (args->room);
  g_free (args->days);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PlanArgs, plan_args_clear)

static gboolean
bad_input (GError    **error,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_input (GError    **error,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_INVALID,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
parse_count (const char  *option,
             const char  *text,
             guint       *value,
             GError     **error)
{
  guint64 number;

  if (text == NULL)
    return TRUE;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &number, NULL))
    return bad_input (error, "%s wants a whole number of people, not “%s”", option, text);

  *value = number;
  return TRUE;
}

/* Any finite decimal number, in the C locale ("1.5"); the range is checked
 * by kibitz_plan_input_validate() with sentences about what the number means.
 */
static gboolean
parse_amount (const char  *option,
              const char  *text,
              double      *value,
              GError     **error)
{
  char *end = NULL;
  double number;

  if (text == NULL)
    return TRUE;

  number = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (number))
    return bad_input (error, "%s wants a number such as 1 or 1.5, not “%s”", option, text);

  *value = number;
  return TRUE;
}

static gboolean
parse_input (const PlanArgs   *args,
             KibitzPlanInput  *input,
             GError          **error)
{
  gboolean relayed_given = args->relayed != NULL;

  kibitz_plan_input_init (input);
  if (args->participants == NULL || args->bitrate == NULL)
    return bad_input (error, "kibitz-server plan needs --participants P and --bitrate MBPS, "
                             "e.g. kibitz-server plan --participants 5 --bitrate 1");

  if (!parse_count ("--participants", args->participants, &input->participants, error) ||
      !parse_count ("--relayed", args->relayed, &input->relayed, error) ||
      !parse_amount ("--bitrate", args->bitrate, &input->bitrate_mbps, error) ||
      !parse_amount ("--meetings-per-month", args->meetings, &input->meetings_per_month, error) ||
      !parse_amount ("--hours", args->hours, &input->hours, error) ||
      !parse_amount ("--link-mbps", args->link, &input->link_mbps, error) ||
      !parse_amount ("--transfer-limit-tb", args->transfer_limit, &input->transfer_limit_tb,
                     error))
    return FALSE;

  /* The article plans for the worst case: everyone relayed. */
  if (!relayed_given)
    input->relayed = input->participants;

  if (args->metrics_url && args->metrics_file)
    return bad_input (error, "Give either --metrics-url or --metrics-file, not both");
  if ((args->room || args->days) && !args->metrics_url && !args->metrics_file)
    return bad_input (error, "--room and --days-measured describe measured data: add "
                             "--metrics-url http://HOST:PORT/metrics or --metrics-file FILE");

  return kibitz_plan_input_validate (input, error);
}

static char *
fetch_metrics (const char  *url,
               GError     **error)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 15,
                                                                  "user-agent", "kibitz-server-plan",
                                                                  NULL);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      bad_input (error, "“%s” is not an http:// or https:// URL: write it like "
                        "http://127.0.0.1:8080/metrics", url);
      return NULL;
    }

  msg = soup_message_new_from_uri ("GET", uri);
  body = soup_session_send_and_read (session, msg, NULL, &local_error);
  if (body == NULL)
    {
      g_set_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
                   "Cannot read %s: %s. Is kibitz-server running there?", url,
                   local_error->message);
      return NULL;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_set_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
                   "%s answered %u %s instead of the metrics", url, soup_message_get_status (msg),
                   soup_message_get_reason_phrase (msg));
      return NULL;
    }

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* A saved file's figures stop when it was saved, not now. */
static gboolean
read_metrics_file (const char  *path,
                   char       **text,
                   double      *saved_at,
                   GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, text, NULL, &local_error) ||
      !(info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED, G_FILE_QUERY_INFO_NONE,
                                  NULL, &local_error)))
    {
      g_set_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
                   "Cannot read the saved metrics: %s", local_error->message);
      return FALSE;
    }

  *saved_at = (double) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
  return TRUE;
}

/* The days the counters cover: --days-measured, else from the relay's start
 * time to when the figures were taken.
 */
static gboolean
measured_days (const PlanArgs          *args,
               const KibitzRelayUsage  *usage,
               double                   taken_at,
               double                  *days,
               GError                 **error)
{
  if (args->days)
    {
      if (!parse_amount ("--days-measured", args->days, days, error))
        return FALSE;
      if (*days <= 0)
        return bad_input (error, "--days-measured must be more than 0: the days the "
                                 "server's counters cover");
      return TRUE;
    }

  if (!usage->has_start_time || taken_at <= usage->start_time)
    return bad_input (error, "Add --days-measured D: these metrics do not say since when the "
                             "relay has been counting");

  *days = (taken_at - usage->start_time) / 86400;
  return TRUE;
}

static int
exit_code (const GError *error)
{
  return g_error_matches (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_INVALID) ||
         error->domain == G_OPTION_ERROR ? EXIT_BAD_INPUT : EXIT_NO_DATA;
}

static gboolean
measure (const PlanArgs          *args,
         const KibitzPlanInput   *input,
         KibitzRelayUsage        *usage,
         KibitzPlanMeasured      *measured,
         GError                 **error)
{
  g_autofree char *text = NULL;
  double taken_at = g_get_real_time () / (double) G_USEC_PER_SEC;
  double days = 0;

  if (args->metrics_url)
    text = fetch_metrics (args->metrics_url, error);
  else if (!read_metrics_file (args->metrics_file, &text, &taken_at, error))
    return FALSE;

  if (text == NULL ||
      !kibitz_plan_parse_metrics (text, args->room, usage, error) ||
      !measured_days (args, usage, taken_at, &days, error))
    return FALSE;

  kibitz_plan_project (usage, days, input->transfer_limit_tb, measured);
  return TRUE;
}

static GOptionContext *
plan_context (PlanArgs *args)
{
  const GOptionEntry entries[] = {
    { "participants", 'p', 0, G_OPTION_ARG_STRING, &args->participants,
      "Participants in one meeting (at least 2)", "P" },
    { "relayed", 't', 0, G_OPTION_ARG_STRING, &args->relayed,
      "Participants whose connections all go through the relay (default P, the worst case)", "T" },
    { "bitrate", 'b', 0, G_OPTION_ARG_STRING, &args->bitrate,
      "One video stream in one direction, in Mbps (the article assumes 1 to 1.5)", "MBPS" },
    { "meetings-per-month", 'm', 0, G_OPTION_ARG_STRING, &args->meetings,
      "Meetings a month (default 4)", "M" },
    { "hours", 0, 0, G_OPTION_ARG_STRING, &args->hours,
      "Length of one meeting in hours (default 1)", "H" },
    { "link-mbps", 0, 0, G_OPTION_ARG_STRING, &args->link,
      "The relay's link speed each way, in Mbps (default 2000)", "L" },
    { "transfer-limit-tb", 0, 0, G_OPTION_ARG_STRING, &args->transfer_limit,
      "The host's monthly transfer allowance, in TB of 10^12 bytes (default 2)", "X" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args->json,
      "Print one JSON object and nothing else", NULL },
    { "metrics-url", 0, 0, G_OPTION_ARG_STRING, &args->metrics_url,
      "Also project a month from the bytes a running kibitz-server relayed "
      "(e.g. http://127.0.0.1:8080/metrics)", "URL" },
    { "metrics-file", 0, 0, G_OPTION_ARG_FILENAME, &args->metrics_file,
      "The same from a saved copy of /metrics", "FILE" },
    { "room", 0, 0, G_OPTION_ARG_STRING, &args->room,
      "Only this room's relayed bytes (default: every room)", "NAME" },
    { "days-measured", 0, 0, G_OPTION_ARG_STRING, &args->days,
      "Days the counters cover (default: since the relay started)", "D" },
    { NULL }
  };
  GOptionContext *context = g_option_context_new ("— the article's bandwidth and cost model");

  g_option_context_set_summary (context,
    "S = P(P−1)/2 connections, K = T(P − (T+1)/2) of them relayed; the relay carries\n"
    "U = D = K·B each way. MB are 10^6 bytes, TB 10^12 bytes; a month is 30 days.");
  g_option_context_add_main_entries (context, entries, NULL);
  return context;
}

static gboolean
run (PlanArgs  *args,
     int       *argc,
     char    ***argv,
     GError   **error)
{
  g_autoptr(GOptionContext) context = plan_context (args);
  g_autofree char *text = NULL;
  KibitzPlanInput input;
  KibitzPlan plan;
  KibitzRelayUsage usage;
  KibitzPlanMeasured measured;
  gboolean measuring;

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    return bad_input (error, "kibitz-server plan takes only options, not “%s”", (*argv)[1]);

  if (!parse_input (args, &input, error) || !kibitz_plan_compute (&input, &plan, error))
    return FALSE;

  measuring = args->metrics_url || args->metrics_file;
  if (measuring && !measure (args, &input, &usage, &measured, error))
    return FALSE;

  if (args->json)
    text = kibitz_plan_to_json (&input, &plan, measuring ? &usage : NULL,
                                measuring ? &measured : NULL, args->room);
  else
    text = kibitz_plan_format (&input, &plan, measuring ? &usage : NULL,
                               measuring ? &measured : NULL, args->room);

  fputs (text, stdout);
  if (args->json)
    fputc ('\n', stdout);
  fflush (stdout);
  return TRUE;
}

/* argv[0] is "plan". Exits 2 on bad input, 1 when measurements are missing. */
int
kibitz_plan_command_run (int    argc,
                         char **argv)
{
  g_auto(PlanArgs) args = { NULL };
  g_autoptr(GError) error = NULL;

  g_set_prgname ("kibitz-server plan");
  if (!run (&args, &argc, &argv, &error))
    {
      g_printerr ("kibitz-server plan: %s\n", error->message);
      return exit_code (error);
    }

  return 0;
}

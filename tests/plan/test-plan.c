/* test-plan.c: the article's bandwidth and cost model (kibitz-plan.c) and
 * `kibitz-server plan` as a real process.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "kibitz-plan.h"
#include "kibitz-test-server.h"

/* The formulas */

static void
test_connections (void)
{
  g_assert_cmpuint (kibitz_plan_direct_connections (2), ==, 1);
  g_assert_cmpuint (kibitz_plan_direct_connections (5), ==, 10);
  g_assert_cmpuint (kibitz_plan_direct_connections (20), ==, 190);

  /* Nobody relayed; one relayed participant relays its P−1 connections; all
   * relayed is every connection.
   */
  g_assert_cmpuint (kibitz_plan_relayed_connections (20, 0), ==, 0);
  g_assert_cmpuint (kibitz_plan_relayed_connections (20, 1), ==, 19);
  g_assert_cmpuint (kibitz_plan_relayed_connections (20, 2), ==, 19 + 18);
  g_assert_cmpuint (kibitz_plan_relayed_connections (5, 5), ==, 10);
  g_assert_cmpuint (kibitz_plan_relayed_connections (20, 19), ==, 190);

  /* K counts the pairs with at least one relayed end: S minus the pairs of
   * direct participants.
   */
  for (guint p = 2; p <= 40; p++)
    for (guint t = 0; t <= p; t++)
      g_assert_cmpuint (kibitz_plan_relayed_connections (p, t), ==,
                        kibitz_plan_direct_connections (p) -
                        kibitz_plan_direct_connections (p - t));
}

static void
compute (guint       participants,
         guint       relayed,
         double      bitrate,
         KibitzPlan *plan)
{
  g_autoptr(GError) error = NULL;
  KibitzPlanInput input;

  kibitz_plan_input_init (&input);
  input.participants = participants;
  input.relayed = relayed;
  input.bitrate_mbps = bitrate;
  g_assert_true (kibitz_plan_compute (&input, plan, &error));
  g_assert_no_error (error);
}

/* 5 participants at 1 Mbps, 4 one-hour meetings a month, 2,000 Mbps, 2 TB. */
static void
test_article_example (void)
{
  KibitzPlan plan;

  compute (5, 5, 1, &plan);
  g_assert_cmpuint (plan.direct_connections, ==, 10);
  g_assert_cmpuint (plan.relayed_connections, ==, 10);
  g_assert_cmpfloat (plan.relayed_share, ==, 1.0);
  g_assert_cmpfloat (plan.upload_mbps, ==, 10);
  g_assert_cmpfloat (plan.download_mbps, ==, 10);
  g_assert_cmpfloat (plan.participant_upload_mbps, ==, 4);
  g_assert_cmpfloat (plan.transfer_per_meeting_mb, ==, 9000);
  g_assert_cmpfloat (plan.transfer_per_month_mb, ==, 36000);
  g_assert_cmpfloat_with_epsilon (plan.transfer_limit_share, 0.018, 1e-12);
  g_assert_false (plan.relay_idle);
  /* Not the article's "10 parallel meetings": 2,000 / 10 is 200. */
  g_assert_cmpuint (plan.parallel_meetings, ==, 200);
  g_assert_cmpfloat_with_epsilon (plan.meeting_hours_per_transfer_limit, 2e6 / 9000, 1e-9);
  g_assert_cmpfloat (plan.meeting_hours_per_transfer_limit, >, 220);
}

/* The article's graph: with P = 20, 6 relayed participants take "50%" of the
 * connections (exactly 99 of 190) and 10 take "75%" (145 of 190).
 */
static void
test_article_graph (void)
{
  KibitzPlan plan;

  compute (20, 6, 1, &plan);
  g_assert_cmpuint (plan.direct_connections, ==, 190);
  g_assert_cmpuint (plan.relayed_connections, ==, 99);
  g_assert_cmpfloat (plan.relayed_share, ==, 99.0 / 190.0);

  compute (20, 10, 1, &plan);
  g_assert_cmpuint (plan.relayed_connections, ==, 145);
  g_assert_cmpfloat (plan.relayed_share, ==, 145.0 / 190.0);

  compute (20, 5, 1, &plan);
  g_assert_cmpfloat (plan.relayed_share, <, 0.5);
}

static void
test_other_numbers (void)
{
  g_autoptr(GError) error = NULL;
  KibitzPlanInput input;
  KibitzPlan plan;

  kibitz_plan_input_init (&input);
  input.participants = 12;
  input.relayed = 3;
  input.bitrate_mbps = 1.5;
  input.meetings_per_month = 20;
  input.hours = 1.5;
  input.link_mbps = 1000;
  input.transfer_limit_tb = 5;
  g_assert_true (kibitz_plan_compute (&input, &plan, &error));

  /* K = 3·(12 − 2) = 30 connections, 45 Mbps each way. */
  g_assert_cmpuint (plan.relayed_connections, ==, 30);
  g_assert_cmpfloat (plan.upload_mbps, ==, 45);
  /* 90 Mbps for 5,400 s is 486,000 Mb, 60,750 MB. */
  g_assert_cmpfloat (plan.transfer_per_meeting_mb, ==, 60750);
  g_assert_cmpfloat (plan.transfer_per_month_mb, ==, 1215000);
  g_assert_cmpuint (plan.parallel_meetings, ==, 22);
  /* 5 TB over 40,500 MB per meeting-hour. */
  g_assert_cmpfloat_with_epsilon (plan.meeting_hours_per_transfer_limit, 5e6 / 40500, 1e-9);
}

static void
test_nobody_relayed (void)
{
  KibitzPlan plan;

  compute (8, 0, 1, &plan);
  g_assert_cmpuint (plan.relayed_connections, ==, 0);
  g_assert_cmpfloat (plan.relayed_share, ==, 0);
  g_assert_cmpfloat (plan.transfer_per_month_mb, ==, 0);
  g_assert_true (plan.relay_idle);
}

static void
assert_invalid (guint  participants,
                guint  relayed,
                double bitrate,
                double hours)
{
  g_autoptr(GError) error = NULL;
  KibitzPlanInput input;
  KibitzPlan plan;

  kibitz_plan_input_init (&input);
  input.participants = participants;
  input.relayed = relayed;
  input.bitrate_mbps = bitrate;
  input.hours = hours;
  g_assert_false (kibitz_plan_compute (&input, &plan, &error));
  g_assert_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_INVALID);
  g_test_message ("%s", error->message);
}

static void
test_invalid_input (void)
{
  assert_invalid (1, 1, 1, 1);
  assert_invalid (0, 0, 1, 1);
  assert_invalid (5, 6, 1, 1);
  assert_invalid (5, 5, -1, 1);
  assert_invalid (5, 5, 0, 1);
  assert_invalid (5, 5, 1, 0);
  assert_invalid (KIBITZ_PLAN_MAX_PARTICIPANTS + 1, 0, 1, 1);
}

static void
test_format_number (void)
{
  const struct { double value; guint decimals; const char *text; } cases[] = {
    { 0, 0, "0" }, { 999, 0, "999" }, { 1000, 0, "1,000" }, { 36000, 0, "36,000" },
    { 1234567.25, 2, "1,234,567.25" }, { 222.2222, 1, "222.2" }, { -4500, 0, "-4,500" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = kibitz_plan_format_number (cases[i].value, cases[i].decimals);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Measured */

static const char metrics_text[] =
  "# HELP kibitz_turn_start_time_seconds Unix time the relay started.\n"
  "# TYPE kibitz_turn_start_time_seconds gauge\n"
  "kibitz_turn_start_time_seconds 1700000000\n"
  "# HELP kibitz_turn_room_bytes_total Payload bytes relayed for a room.\n"
  "# TYPE kibitz_turn_room_bytes_total counter\n"
  "kibitz_turn_room_bytes_total{room=\"Maths 7b\",direction=\"to_peers\"} 3000000\n"
  "kibitz_turn_room_bytes_total{room=\"Maths 7b\",direction=\"from_peers\"} 1500000\n"
  "kibitz_turn_room_bytes_total{room=\"Say \\\"hi\\\" \\\\ bye\",direction=\"to_peers\"} 500\n"
  "kibitz_turn_room_bytes_total{direction=\"from_peers\",room=\"Say \\\"hi\\\" \\\\ bye\"} 250\n";

static void
test_parse_metrics (void)
{
  g_autoptr(GError) error = NULL;
  KibitzRelayUsage usage;

  g_assert_true (kibitz_plan_parse_metrics (metrics_text, NULL, &usage, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (usage.rooms, ==, 2);
  g_assert_cmpuint (usage.bytes_to_peers, ==, 3000500);
  g_assert_cmpuint (usage.bytes_from_peers, ==, 1500250);
  g_assert_true (usage.has_start_time);
  g_assert_cmpfloat (usage.start_time, ==, 1700000000);

  /* Room names compare as the server compares them. */
  g_assert_true (kibitz_plan_parse_metrics (metrics_text, "  MATHS 7B ", &usage, &error));
  g_assert_cmpuint (usage.rooms, ==, 1);
  g_assert_cmpuint (usage.bytes_to_peers, ==, 3000000);
  g_assert_cmpuint (usage.bytes_from_peers, ==, 1500000);

  g_assert_true (kibitz_plan_parse_metrics (metrics_text, "Say \"hi\" \\ bye", &usage, &error));
  g_assert_cmpuint (usage.bytes_to_peers, ==, 500);
  g_assert_cmpuint (usage.bytes_from_peers, ==, 250);
}

static void
assert_metrics_error (const char *text,
                      const char *room,
                      const char *expected)
{
  g_autoptr(GError) error = NULL;
  KibitzRelayUsage usage;

  g_assert_false (kibitz_plan_parse_metrics (text, room, &usage, &error));
  g_assert_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_metrics_errors (void)
{
  assert_metrics_error ("kibitz_connections 3\n", NULL, "kibitz_turn_room_bytes_total");
  assert_metrics_error (metrics_text, "History", "“Maths 7b”, “Say \"hi\" \\ bye”");
  assert_metrics_error ("# TYPE kibitz_turn_room_bytes_total counter\n", "History",
                        "No room has relayed");
  assert_metrics_error ("kibitz_turn_room_bytes_total{room=\"a\",direction=\"to_peers\"} x\n",
                        NULL, "Line 1");
  assert_metrics_error ("kibitz_turn_room_bytes_total{room=\"a,direction=\"to_peers\"} 1\n",
                        NULL, "Line 1");
}

static void
test_project (void)
{
  KibitzRelayUsage usage = { .bytes_to_peers = 3000000, .bytes_from_peers = 1500000 };
  KibitzPlanMeasured measured;

  /* 4.5 MB in 3 days is 45 MB in a 30-day month. */
  kibitz_plan_project (&usage, 3, 2, &measured);
  g_assert_cmpfloat (measured.transfer_mb, ==, 4.5);
  g_assert_cmpfloat_with_epsilon (measured.transfer_per_month_mb, 45, 1e-9);
  g_assert_cmpfloat_with_epsilon (measured.transfer_limit_share, 45 / 2e6, 1e-15);
}

/* The real binary */

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_plan (const char * const *args,
          Run                *run)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_ptr_array_add (argv, (char *) g_getenv ("KIBITZ_SERVER_BIN"));
  g_ptr_array_add (argv, (char *) "plan");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (argv->pdata[0]);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                &run->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

/* stdout must be one JSON object and nothing else. */
static JsonObject *
run_json (const char * const *args)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(Run) run = { 0 };

  run_plan (args, &run);
  if (run.status != 0)
    g_error ("kibitz-server plan exited %d: %s", run.status, run.err);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static double
number_member (JsonObject *object,
               const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_node_get_double (json_object_get_member (object, name));
}

static void
test_binary_article (void)
{
  const char * const args[] = { "--participants", "5", "--bitrate", "1",
                                "--meetings-per-month", "4", "--hours", "1",
                                "--link-mbps", "2000", "--transfer-limit-tb", "2", "--json", NULL };
  g_autoptr(JsonObject) plan = run_json (args);

  g_assert_cmpint (json_object_get_int_member (plan, "direct_connections"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (plan, "relayed_connections"), ==, 10);
  g_assert_cmpfloat (number_member (plan, "relayed_share"), ==, 1);
  g_assert_cmpfloat (number_member (plan, "upload_mbps"), ==, 10);
  g_assert_cmpfloat (number_member (plan, "download_mbps"), ==, 10);
  g_assert_cmpfloat (number_member (plan, "transfer_per_meeting_mb"), ==, 9000);
  g_assert_cmpfloat (number_member (plan, "transfer_per_month_mb"), ==, 36000);
  g_assert_cmpint (json_object_get_int_member (plan, "parallel_meetings"), ==, 200);
  g_assert_cmpfloat_with_epsilon (number_member (plan, "meeting_hours_per_transfer_limit"),
                                  2e6 / 9000, 1e-9);
  g_assert_false (json_object_has_member (plan, "measured"));
}

/* Without --relayed, T = P; the defaults are the article's example. */
static void
test_binary_defaults (void)
{
  const char * const args[] = { "--participants", "5", "--bitrate", "1", "--json", NULL };
  g_autoptr(JsonObject) plan = run_json (args);

  g_assert_cmpint (json_object_get_int_member (plan, "relayed"), ==, 5);
  g_assert_cmpfloat (number_member (plan, "transfer_per_month_mb"), ==, 36000);
  g_assert_cmpint (json_object_get_int_member (plan, "parallel_meetings"), ==, 200);
}

static void
test_binary_graph (void)
{
  const char * const args[] = { "--participants", "20", "--relayed", "6", "--bitrate", "1.5",
                                "--json", NULL };
  const char * const none[] = { "--participants", "20", "--relayed", "0", "--bitrate", "1",
                                "--json", NULL };
  g_autoptr(JsonObject) plan = run_json (args);
  g_autoptr(JsonObject) idle = run_json (none);

  g_assert_cmpint (json_object_get_int_member (plan, "direct_connections"), ==, 190);
  g_assert_cmpint (json_object_get_int_member (plan, "relayed_connections"), ==, 99);
  g_assert_cmpfloat_with_epsilon (number_member (plan, "relayed_share"), 99.0 / 190, 1e-12);
  g_assert_cmpfloat (number_member (plan, "upload_mbps"), ==, 148.5);
  /* 297 Mbps for an hour: 133,650 MB; 2,000 / 148.5 = 13.47. */
  g_assert_cmpfloat (number_member (plan, "transfer_per_meeting_mb"), ==, 133650);
  g_assert_cmpint (json_object_get_int_member (plan, "parallel_meetings"), ==, 13);

  g_assert_cmpint (json_object_get_int_member (idle, "relayed_connections"), ==, 0);
  g_assert_true (json_object_get_null_member (idle, "parallel_meetings"));
  g_assert_true (json_object_get_null_member (idle, "meeting_hours_per_transfer_limit"));
}

static void
test_binary_human (void)
{
  const char * const args[] = { "--participants", "5", "--bitrate", "1", NULL };
  g_auto(Run) run = { 0 };

  run_plan (args, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_test_message ("%s", run.out);
  g_assert_nonnull (strstr (run.out, "10 Mbps"));
  g_assert_nonnull (strstr (run.out, "9,000 MB"));
  g_assert_nonnull (strstr (run.out, "36,000 MB"));
  g_assert_nonnull (strstr (run.out, "200   on a 2,000 Mbps link"));
  g_assert_nonnull (strstr (run.out, "222.2 h"));
}

static void
test_binary_bad_input (void)
{
  const char * const cases[][8] = {
    { "--participants", "1", "--bitrate", "1", NULL },
    { "--participants", "5", "--relayed", "6", "--bitrate", "1", NULL },
    { "--participants", "5", "--bitrate", "-1", NULL },
    { "--participants", "5", "--bitrate", "0", NULL },
    { "--participants", "five", "--bitrate", "1", NULL },
    { "--participants", "5", "--bitrate", "1Mbps", NULL },
    { "--participants", "-5", "--bitrate", "1", NULL },
    { "--participants", "5", NULL },
    { "--participants", "5", "--bitrate", "1", "--hours", "x", NULL },
    { "--participants", "5", "--bitrate", "1", "--no-such-option", NULL },
    { "--participants", "5", "--bitrate", "1", "--room", "Maths", NULL },
    { "--participants", "5", "--bitrate", "1", "--json", "stray", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_plan (cases[i], &run);
      g_test_message ("case %u: %s", i, run.err);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "kibitz-server plan: "));
    }
}

static void
test_binary_metrics_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("kibitz-metrics-XXXXXX", &path, &error);
  const char *args[] = { "--participants", "5", "--bitrate", "1", "--metrics-file", NULL,
                         "--room", "maths 7B", "--days-measured", "3", "--json", NULL };
  const char *missing[] = { "--participants", "5", "--bitrate", "1", "--metrics-file", NULL,
                            "--room", "History", "--days-measured", "3", NULL };
  g_autoptr(JsonObject) plan = NULL;
  JsonObject *measured;
  g_auto(Run) run = { 0 };

  g_assert_no_error (error);
  g_close (fd, NULL);
  g_file_set_contents (path, metrics_text, -1, &error);
  g_assert_no_error (error);
  args[5] = path;
  missing[5] = path;

  plan = run_json (args);
  measured = json_object_get_object_member (plan, "measured");
  g_assert_nonnull (measured);
  g_assert_cmpstr (json_object_get_string_member (measured, "room"), ==, "maths 7B");
  g_assert_cmpint (json_object_get_int_member (measured, "bytes_to_peers"), ==, 3000000);
  g_assert_cmpint (json_object_get_int_member (measured, "bytes_from_peers"), ==, 1500000);
  g_assert_cmpfloat (number_member (measured, "transfer_mb"), ==, 4.5);
  g_assert_cmpfloat_with_epsilon (number_member (measured, "transfer_per_month_mb"), 45, 1e-9);
  /* The model is printed beside it. */
  g_assert_cmpfloat (number_member (plan, "transfer_per_month_mb"), ==, 36000);

  run_plan (missing, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "“Maths 7b”"));

  g_unlink (path);
}

/* The measured line from a live server: a class relays through the built-in
 * relay, and the planner reads the same bytes /metrics shows, over the time
 * since the relay started.
 */
static void
test_binary_metrics_url (void)
{
  const char * const server_args[] = { "--http", "127.0.0.1:0", "--secret", "plan-secret",
                                       "--allow-peer", "127.0.0.0/8", NULL };
  g_autoptr(KibitzTestServer) server = kibitz_test_server_start (server_args);
  g_autoptr(KibitzTestClient) a = kibitz_test_client_connect (server);
  g_autoptr(JsonObject) welcome = kibitz_test_client_join (a, "Physics", "Ada", NULL);
  JsonArray *servers = json_object_get_array_member (welcome, "ice_servers");
  JsonObject *turn = json_array_get_object_element (servers, 1);
  const char *port = strrchr (server->turn, ':') + 1;
  const char *uclient[] = { "timeout", "60", "turnutils_uclient", "-y", "-n", "50", "-m", "1",
                            "-l", "200", "-u", json_object_get_string_member (turn, "username"),
                            "-w", json_object_get_string_member (turn, "credential"),
                            "-p", port, "127.0.0.1", NULL };
  g_autofree char *url = kibitz_test_server_url (server, "/metrics");
  const char * const args[] = { "--participants", "5", "--bitrate", "1", "--metrics-url", url,
                                "--room", "physics", "--json", NULL };
  g_autofree char *output = kibitz_test_run (uclient);
  g_autoptr(JsonObject) plan = NULL;
  JsonObject *measured;
  guint64 to_peers, from_peers;

  g_assert_nonnull (strstr (output, "Total lost packets 0 (0.000000%)"));
  to_peers = kibitz_test_metric (server, "kibitz_turn_room_bytes_total{room=\"Physics\","
                                         "direction=\"to_peers\"}");
  from_peers = kibitz_test_metric (server, "kibitz_turn_room_bytes_total{room=\"Physics\","
                                           "direction=\"from_peers\"}");
  g_assert_cmpuint (to_peers, >=, 50 * 200);

  plan = run_json (args);
  measured = json_object_get_object_member (plan, "measured");
  g_assert_nonnull (measured);
  g_assert_cmpint (json_object_get_int_member (measured, "bytes_to_peers"), ==, to_peers);
  g_assert_cmpint (json_object_get_int_member (measured, "bytes_from_peers"), ==, from_peers);
  g_assert_cmpfloat (number_member (measured, "transfer_mb"), ==,
                     (double) (to_peers + from_peers) / 1e6);
  /* Since the relay started: seconds, not days. */
  g_assert_cmpfloat (number_member (measured, "days"), >, 0);
  g_assert_cmpfloat (number_member (measured, "days"), <, 0.01);
  g_assert_cmpfloat (number_member (measured, "transfer_per_month_mb"), >,
                     number_member (measured, "transfer_mb"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/plan/connections", test_connections);
  g_test_add_func ("/server/plan/article-example", test_article_example);
  g_test_add_func ("/server/plan/article-graph", test_article_graph);
  g_test_add_func ("/server/plan/other-numbers", test_other_numbers);
  g_test_add_func ("/server/plan/nobody-relayed", test_nobody_relayed);
  g_test_add_func ("/server/plan/invalid-input", test_invalid_input);
  g_test_add_func ("/server/plan/format-number", test_format_number);
  g_test_add_func ("/server/plan/parse-metrics", test_parse_metrics);
  g_test_add_func ("/server/plan/metrics-errors", test_metrics_errors);
  g_test_add_func ("/server/plan/project", test_project);
  g_test_add_func ("/server/plan/binary/article", test_binary_article);
  g_test_add_func ("/server/plan/binary/defaults", test_binary_defaults);
  g_test_add_func ("/server/plan/binary/graph", test_binary_graph);
  g_test_add_func ("/server/plan/binary/human", test_binary_human);
  g_test_add_func ("/server/plan/binary/bad-input", test_binary_bad_input);
  g_test_add_func ("/server/plan/binary/metrics-file", test_binary_metrics_file);
  g_test_add_func ("/server/plan/binary/metrics-url", test_binary_metrics_url);

  return g_test_run ();
}

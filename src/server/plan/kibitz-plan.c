/* kibitz-plan.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "kibitz-server"

#include "config.h"

#include <math.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "kibitz-names.h"
#include "kibitz-plan.h"

/* The article's units: MB are 10^6 bytes, TB 10^12 bytes, Mbps 10^6 bits/s. */
#define BYTES_PER_MB 1e6
#define MB_PER_TB 1e6
#define DAYS_PER_MONTH 30.0

G_DEFINE_QUARK (kibitz-plan-error-quark, kibitz_plan_error)

/* The article's example: 4 one-hour meetings a month on a 2,000 Mbps link
 * with a 2 TB transfer limit.
 */
void
kibitz_plan_input_init (KibitzPlanInput *input)
{
  memset (input, 0, sizeof *input);
  input->meetings_per_month = 4;
  input->hours = 1;
  input->link_mbps = 2000;
  input->transfer_limit_tb = 2;
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
positive (double value)
{
  return isfinite (value) && value > 0;
}

gboolean
kibitz_plan_input_validate (const KibitzPlanInput  *input,
                            GError                **error)
{
  if (input->participants < 2)
    return invalid (error, "A meeting needs at least 2 participants (--participants 2 or more)");
  if (input->participants > KIBITZ_PLAN_MAX_PARTICIPANTS)
    return invalid (error, "--participants is far beyond what a mesh can carry: plan for at "
                           "most 100000");
  if (input->relayed > input->participants)
    return invalid (error, "--relayed cannot be more than --participants: it counts the "
                           "participants whose connections go through the relay");
  if (!positive (input->bitrate_mbps))
    return invalid (error, "--bitrate must be more than 0 Mbps: one video stream in one "
                           "direction, such as 1 or 1.5");
  if (!isfinite (input->meetings_per_month) || input->meetings_per_month < 0)
    return invalid (error, "--meetings-per-month cannot be negative");
  if (!positive (input->hours))
    return invalid (error, "--hours must be more than 0: the length of one meeting");
  if (!positive (input->link_mbps))
    return invalid (error, "--link-mbps must be more than 0: the relay's link speed each way");
  if (!positive (input->transfer_limit_tb))
    return invalid (error, "--transfer-limit-tb must be more than 0: the host's monthly "
                           "transfer allowance in TB");

  return TRUE;
}

/* S = P(P−1)/2: every pair of participants has one connection. */
guint64
kibitz_plan_direct_connections (guint participants)
{
  guint64 p = participants;

  return p < 2 ? 0 : p * (p - 1) / 2;
}

/* K = T(P − (T+1)/2) = T(2P − T − 1)/2: the pairs with at least one relayed
 * participant. T(2P − T − 1) is always even, so K is a whole number.
 */
guint64
kibitz_plan_relayed_connections (guint participants,
                                 guint relayed)
{
  guint64 p = participants;
  guint64 t = MIN (relayed, participants);

  if (t == 0)
    return 0;

  return t * (2 * p - t - 1) / 2;
}

gboolean
kibitz_plan_compute (const KibitzPlanInput  *input,
                     KibitzPlan             *plan,
                     GError                **error)
{
  double meeting_hour_mb;

  if (!kibitz_plan_input_validate (input, error))
    return FALSE;

  memset (plan, 0, sizeof *plan);
  plan->direct_connections = kibitz_plan_direct_connections (input->participants);
  plan->relayed_connections = kibitz_plan_relayed_connections (input->participants,
                                                               input->relayed);
  plan->relayed_share = (double) plan->relayed_connections / plan->direct_connections;
  plan->upload_mbps = plan->relayed_connections * input->bitrate_mbps;
  plan->download_mbps = plan->upload_mbps;
  plan->participant_upload_mbps = (input->participants - 1) * input->bitrate_mbps;

  /* (U + D) Mbps for 3600 s is megabits; 8 bits to the byte. */
  meeting_hour_mb = (plan->upload_mbps + plan->download_mbps) * 3600 / 8;
  plan->transfer_per_meeting_mb = meeting_hour_mb * input->hours;
  plan->transfer_per_month_mb = plan->transfer_per_meeting_mb * input->meetings_per_month;
  plan->transfer_limit_share = plan->transfer_per_month_mb /
                               (input->transfer_limit_tb * MB_PER_TB);

  plan->relay_idle = plan->relayed_connections == 0;
  if (!plan->relay_idle)
    {
      /* The link is full duplex: a meeting takes U one way and D the other,
       * so it fits L / U times. The epsilon keeps 2000 / 10 from becoming 199.
       */
      plan->parallel_meetings = (guint64) floor (input->link_mbps / plan->upload_mbps + 1e-9);
      plan->meeting_hours_per_transfer_limit = input->transfer_limit_tb * MB_PER_TB /
                                               meeting_hour_mb;
    }

  return TRUE;
}

/* Measured: kibitz_turn_room_bytes_total{room="...",direction="..."} N */

#define ROOM_BYTES "kibitz_turn_room_bytes_total"
#define START_TIME "kibitz_turn_start_time_seconds"

typedef struct {
  char *room;
  char *direction;
} Labels;

static void
labels_clear (Labels *labels)
{
  g_clear_pointer (&labels->room, g_free);
  g_clear_pointer (&labels->direction, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Labels, labels_clear)

/* Reads one quoted label value with the exposition format's escapes
 * (\\, \" and \n); returns the position after the closing quote or NULL.
 */
static const char *
read_label_value (const char  *p,
                  char       **value)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (*p++ != '"')
    return NULL;

  for (; *p && *p != '"'; p++)
    {
      if (*p == '\\')
        {
          p++;
          if (*p == 'n')
            g_string_append_c (out, '\n');
          else if (*p == '\\' || *p == '"')
            g_string_append_c (out, *p);
          else
            return NULL;
        }
      else
        {
          g_string_append_c (out, *p);
        }
    }

  if (*p != '"')
    return NULL;

  *value = g_string_free (g_steal_pointer (&out), FALSE);
  return p + 1;
}

/* @p points after "{"; returns the position after "}" or NULL. */
static const char *
read_labels (const char *p,
             Labels     *labels)
{
  while (*p != '}')
    {
      const char *name = p;
      g_autofree char *value = NULL;
      gsize name_len;

      while (g_ascii_isalnum (*p) || *p == '_')
        p++;
      name_len = p - name;
      if (name_len == 0 || *p++ != '=' || (p = read_label_value (p, &value)) == NULL)
        return NULL;

      if (name_len == 4 && strncmp (name, "room", 4) == 0)
        {
          g_free (labels->room);
          labels->room = g_steal_pointer (&value);
        }
      else if (name_len == 9 && strncmp (name, "direction", 9) == 0)
        {
          g_free (labels->direction);
          labels->direction = g_steal_pointer (&value);
        }

      if (*p == ',')
        p++;
      else if (*p != '}')
        return NULL;
    }

  return p + 1;
}

static gboolean
read_sample_value (const char *p,
                   double     *value)
{
  char *end;

  while (*p == ' ' || *p == '\t')
    p++;
  *value = g_ascii_strtod (p, &end);

  /* Counters are unsigned 64-bit integers; anything else is not ours. */
  return end != p && (*end == '\0' || *end == ' ' || *end == '\t') &&
         isfinite (*value) && *value >= 0 && *value < 18446744073709551616.0;
}

static gboolean
bad_line (GError     **error,
          guint        number,
          const char  *line)
{
  g_set_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
               "Line %u of the metrics cannot be read as a Prometheus sample: “%s”", number, line);
  return FALSE;
}

/* Room names compare as the server compares them (NFKC and case folding);
 * a label that is not a valid room name compares as it is.
 */
static char *
room_key (const char *name)
{
  char *key = kibitz_room_name_normalize (name, NULL, NULL);

  return key ? key : g_strdup (name);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
room_not_found (GError     **error,
                const char  *room,
                GHashTable  *seen)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *list = NULL;
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, seen);
  while (g_hash_table_iter_next (&iter, NULL, &name))
    g_ptr_array_add (names, name);
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  if (names->len == 1)
    {
      g_set_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
                   "No room has relayed anything yet, so there is nothing measured for “%s”",
                   room);
      return FALSE;
    }

  list = g_strjoinv ("”, “", (char **) names->pdata);
  g_set_error (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
               "Nothing was relayed for room “%s” since the counters started (check its "
               "spelling); rooms that relayed: “%s”", room, list);
  return FALSE;
}

static gboolean
add_sample (KibitzRelayUsage *usage,
            const Labels     *labels,
            double            value,
            const char       *wanted_key,
            GHashTable       *counted,
            GHashTable       *seen)
{
  g_autofree char *key = NULL;

  if (labels->room == NULL || labels->direction == NULL)
    return FALSE;

  key = room_key (labels->room);
  g_hash_table_replace (seen, g_strdup (key), g_strdup (labels->room));
  if (wanted_key && !g_str_equal (key, wanted_key))
    return TRUE;

  g_hash_table_add (counted, g_steal_pointer (&key));
  if (g_str_equal (labels->direction, "to_peers"))
    usage->bytes_to_peers += (guint64) value;
  else if (g_str_equal (labels->direction, "from_peers"))
    usage->bytes_from_peers += (guint64) value;

  return TRUE;
}

/* Sums kibitz_turn_room_bytes_total for @room (every room when NULL) out of
 * a /metrics text, and reads kibitz_turn_start_time_seconds when present.
 */
gboolean
kibitz_plan_parse_metrics (const char        *text,
                           const char        *room,
                           KibitzRelayUsage  *usage,
                           GError           **error)
{
  g_autoptr(GHashTable) counted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *wanted_key = room ? room_key (room) : NULL;
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean found_family = FALSE;

  memset (usage, 0, sizeof *usage);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = g_strchomp (lines[i]);
      g_auto(Labels) labels = { NULL, NULL };
      const char *rest;
      double value;

      if (g_str_has_prefix (line, "# TYPE " ROOM_BYTES " "))
        found_family = TRUE;
      if (line[0] == '#' || line[0] == '\0')
        continue;

      if (g_str_has_prefix (line, START_TIME " "))
        {
          if (!read_sample_value (line + strlen (START_TIME), &value))
            return bad_line (error, i + 1, line);
          usage->has_start_time = TRUE;
          usage->start_time = value;
        }
      else if (g_str_has_prefix (line, ROOM_BYTES "{"))
        {
          found_family = TRUE;
          rest = read_labels (line + strlen (ROOM_BYTES "{"), &labels);
          if (rest == NULL || !read_sample_value (rest, &value) ||
              !add_sample (usage, &labels, value, wanted_key, counted, seen))
            return bad_line (error, i + 1, line);
        }
    }

  if (!found_family)
    {
      g_set_error_literal (error, KIBITZ_PLAN_ERROR, KIBITZ_PLAN_ERROR_METRICS,
                           "These metrics have no " ROOM_BYTES ": point --metrics-url at "
                           "kibitz-server's /metrics with the built-in relay on (bytes relayed "
                           "by coturn are counted by coturn, not here)");
      return FALSE;
    }

  if (room && g_hash_table_size (counted) == 0)
    return room_not_found (error, room, seen);

  usage->rooms = g_hash_table_size (counted);
  return TRUE;
}

void
kibitz_plan_project (const KibitzRelayUsage *usage,
                     double                  days,
                     double                  transfer_limit_tb,
                     KibitzPlanMeasured     *measured)
{
  memset (measured, 0, sizeof *measured);
  measured->days = days;
  measured->transfer_mb = (double) (usage->bytes_to_peers + usage->bytes_from_peers) /
                          BYTES_PER_MB;
  if (days > 0)
    measured->transfer_per_month_mb = measured->transfer_mb * DAYS_PER_MONTH / days;
  measured->transfer_limit_share = measured->transfer_per_month_mb /
                                   (transfer_limit_tb * MB_PER_TB);
}

/* Output */

static void
add_measured_json (JsonBuilder              *builder,
                   const KibitzRelayUsage   *usage,
                   const KibitzPlanMeasured *measured,
                   const char               *room)
{
  json_builder_set_member_name (builder, "measured");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "room");
  if (room)
    json_builder_add_string_value (builder, room);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "rooms");
  json_builder_add_int_value (builder, usage->rooms);
  json_builder_set_member_name (builder, "days");
  json_builder_add_double_value (builder, measured->days);
  json_builder_set_member_name (builder, "bytes_to_peers");
  json_builder_add_int_value (builder, usage->bytes_to_peers);
  json_builder_set_member_name (builder, "bytes_from_peers");
  json_builder_add_int_value (builder, usage->bytes_from_peers);
  json_builder_set_member_name (builder, "transfer_mb");
  json_builder_add_double_value (builder, measured->transfer_mb);
  json_builder_set_member_name (builder, "transfer_per_month_mb");
  json_builder_add_double_value (builder, measured->transfer_per_month_mb);
  json_builder_set_member_name (builder, "transfer_limit_share");
  json_builder_add_double_value (builder, measured->transfer_limit_share);
  json_builder_end_object (builder);
}

static void
add_double (JsonBuilder *builder,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_double_value (builder, value);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* One JSON object; the two figures that have no bound when nothing is
 * relayed are null then.
 */
char *
kibitz_plan_to_json (const KibitzPlanInput    *input,
                     const KibitzPlan         *plan,
                     const KibitzRelayUsage   *usage,
                     const KibitzPlanMeasured *measured,
                     const char               *room)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_int (builder, "participants", input->participants);
  add_int (builder, "relayed", input->relayed);
  add_double (builder, "bitrate_mbps", input->bitrate_mbps);
  add_double (builder, "meetings_per_month", input->meetings_per_month);
  add_double (builder, "hours", input->hours);
  add_double (builder, "link_mbps", input->link_mbps);
  add_double (builder, "transfer_limit_tb", input->transfer_limit_tb);
  add_int (builder, "direct_connections", plan->direct_connections);
  add_int (builder, "relayed_connections", plan->relayed_connections);
  add_double (builder, "relayed_share", plan->relayed_share);
  add_double (builder, "upload_mbps", plan->upload_mbps);
  add_double (builder, "download_mbps", plan->download_mbps);
  add_double (builder, "participant_upload_mbps", plan->participant_upload_mbps);
  add_double (builder, "transfer_per_meeting_mb", plan->transfer_per_meeting_mb);
  add_double (builder, "transfer_per_month_mb", plan->transfer_per_month_mb);
  add_double (builder, "transfer_limit_share", plan->transfer_limit_share);
  json_builder_set_member_name (builder, "parallel_meetings");
  if (plan->relay_idle)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, plan->parallel_meetings);
  json_builder_set_member_name (builder, "meeting_hours_per_transfer_limit");
  if (plan->relay_idle)
    json_builder_add_null_value (builder);
  else
    json_builder_add_double_value (builder, plan->meeting_hours_per_transfer_limit);
  if (usage && measured)
    add_measured_json (builder, usage, measured, room);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* "36,000" or "222.2": C-locale digits with thousands separators, so the
 * table reads the same everywhere.
 */
char *
kibitz_plan_format_number (double value,
                           guint  decimals)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char format[16];
  g_autoptr(GString) out = g_string_new (NULL);
  const char *digits;
  const char *point;
  gsize integer_len;

  g_snprintf (format, sizeof format, "%%.%uf", MIN (decimals, 9));
  g_ascii_formatd (buffer, sizeof buffer, format, value);

  digits = buffer;
  if (*digits == '-')
    g_string_append_c (out, *digits++);
  point = strchr (digits, '.');
  integer_len = point ? (gsize) (point - digits) : strlen (digits);

  for (gsize i = 0; i < integer_len; i++)
    {
      if (i > 0 && (integer_len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  if (point)
    g_string_append (out, point);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* At most @decimals, without trailing zeros: "1.5", "222.2", "36,000". */
static char *
number (double value,
        guint  decimals)
{
  char *text = kibitz_plan_format_number (value, decimals);
  char *point = strchr (text, '.');

  if (point)
    {
      char *end = point + strlen (point) - 1;

      while (end > point && *end == '0')
        *end-- = '\0';
      if (end == point)
        *point = '\0';
    }

  return text;
}

static char *
quantity (double      value,
          guint       decimals,
          const char *unit)
{
  g_autofree char *digits = number (value, decimals);

  return g_strdup_printf ("%s %s", digits, unit);
}

/* printf pads by bytes; the labels hold "·" and "−". */
static void
append_row (GString    *out,
            const char *label,
            const char *value,
            const char *note)
{
  glong width = g_utf8_strlen (label, -1);

  g_string_append_printf (out, "  %s%*s %14s", label, (int) MAX (0, 36 - width), "", value);
  if (note)
    g_string_append_printf (out, "   %s", note);
  g_string_append_c (out, '\n');
}

static void
format_measured (GString                  *out,
                 const KibitzPlanInput    *input,
                 const KibitzRelayUsage   *usage,
                 const KibitzPlanMeasured *measured,
                 const char               *room)
{
  g_autofree char *label = NULL;
  g_autofree char *mb = number (measured->transfer_mb, 1);
  g_autofree char *month = quantity (measured->transfer_per_month_mb, 1, "MB");
  g_autofree char *days = number (measured->days, 2);
  g_autofree char *limit = number (input->transfer_limit_tb, 2);
  g_autofree char *note = NULL;

  if (room)
    label = g_strdup_printf ("measured, room “%s”", room);
  else
    label = g_strdup_printf ("measured, %u room%s", usage->rooms, usage->rooms == 1 ? "" : "s");

  note = g_strdup_printf ("a month (%s MB relayed in %s days; %.2f%% of %s TB)", mb, days,
                          measured->transfer_limit_share * 100, limit);
  append_row (out, label, month, note);
}

char *
kibitz_plan_format (const KibitzPlanInput    *input,
                    const KibitzPlan         *plan,
                    const KibitzRelayUsage   *usage,
                    const KibitzPlanMeasured *measured,
                    const char               *room)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *bitrate = number (input->bitrate_mbps, 2);
  g_autofree char *s = number (plan->direct_connections, 0);
  g_autofree char *k = number (plan->relayed_connections, 0);
  g_autofree char *k_note = g_strdup_printf ("%.1f%% of S", plan->relayed_share * 100);
  g_autofree char *relay = quantity (plan->upload_mbps, 2, "Mbps");
  g_autofree char *mesh = quantity (plan->participant_upload_mbps, 2, "Mbps");
  g_autofree char *meeting = quantity (plan->transfer_per_meeting_mb, 1, "MB");
  g_autofree char *hours = number (input->hours, 2);
  g_autofree char *meeting_note = g_strdup_printf ("one %s h meeting, both ways", hours);
  g_autofree char *month = quantity (plan->transfer_per_month_mb, 1, "MB");
  g_autofree char *meetings = number (input->meetings_per_month, 2);
  g_autofree char *limit = number (input->transfer_limit_tb, 2);
  g_autofree char *month_note = g_strdup_printf ("%s meetings; %.2f%% of %s TB", meetings,
                                                 plan->transfer_limit_share * 100, limit);
  g_autofree char *link = number (input->link_mbps, 2);
  g_autofree char *parallel_note = g_strdup_printf ("on a %s Mbps link", link);
  g_autofree char *limit_note = g_strdup_printf ("in %s TB", limit);
  g_autofree char *parallel = NULL;
  g_autofree char *limit_hours = NULL;

  if (plan->relay_idle)
    {
      parallel = g_strdup ("no limit");
      limit_hours = g_strdup ("no limit");
    }
  else
    {
      parallel = number (plan->parallel_meetings, 0);
      limit_hours = quantity (plan->meeting_hours_per_transfer_limit, 1, "h");
    }

  g_string_append_printf (out, "%u participants, %u relayed, %s Mbps per stream\n",
                          input->participants, input->relayed, bitrate);
  append_row (out, "direct connections (S)", s, NULL);
  append_row (out, "relayed connections (K)", k, k_note);
  append_row (out, "relay upload (U = K·B)", relay, NULL);
  append_row (out, "relay download (D = K·B)", relay, NULL);
  append_row (out, "upload per participant ((P−1)·B)", mesh, "in the mesh, relay or not");
  append_row (out, "transfer per meeting", meeting, meeting_note);
  append_row (out, "transfer per month", month, month_note);
  append_row (out, "parallel meetings", parallel, parallel_note);
  append_row (out, "meeting-hours in the transfer limit", limit_hours, limit_note);
  if (usage && measured)
    format_measured (out, input, usage, measured, room);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

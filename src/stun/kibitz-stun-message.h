/* kibitz-stun-message.h: a STUN/TURN codec without sockets (RFC 8489, RFC 8656).
 *
 * Parsing takes the bytes of one message and fills a KibitzStunMessage that
 * points into them: nothing is copied or allocated, so the relay can parse every
 * packet it receives. Building writes into a buffer the caller owns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include <netinet/in.h>
#include <sys/socket.h>

G_BEGIN_DECLS

#define KIBITZ_STUN_MAGIC_COOKIE        0x2112A442u
#define KIBITZ_STUN_HEADER_SIZE         20
#define KIBITZ_STUN_TRANSACTION_ID_SIZE 12
#define KIBITZ_STUN_INTEGRITY_SIZE      20
#define KIBITZ_STUN_FINGERPRINT_XOR     0x5354554eu
#define KIBITZ_STUN_MAX_MESSAGE_SIZE    (KIBITZ_STUN_HEADER_SIZE + 0xFFFF)

/* RFC 8489 §14: the limits on variable-length text attributes. */
#define KIBITZ_STUN_MAX_USERNAME        512
#define KIBITZ_STUN_MAX_TEXT            763

/* At most this many unknown comprehension-required attributes are remembered
 * for the UNKNOWN-ATTRIBUTES of a 420 answer; more are only counted. */
#define KIBITZ_STUN_MAX_UNKNOWN         8

#define KIBITZ_STUN_CHANNEL_MIN         0x4000
#define KIBITZ_STUN_CHANNEL_MAX         0x4FFF
#define KIBITZ_STUN_CHANNEL_HEADER_SIZE 4

typedef enum {
  KIBITZ_STUN_CLASS_REQUEST    = 0,
  KIBITZ_STUN_CLASS_INDICATION = 1,
  KIBITZ_STUN_CLASS_SUCCESS    = 2,
  KIBITZ_STUN_CLASS_ERROR      = 3,
} KibitzStunClass;

typedef enum {
  KIBITZ_STUN_METHOD_BINDING           = 0x001,
  KIBITZ_STUN_METHOD_ALLOCATE          = 0x003,
  KIBITZ_STUN_METHOD_REFRESH           = 0x004,
  KIBITZ_STUN_METHOD_SEND              = 0x006,
  KIBITZ_STUN_METHOD_DATA              = 0x007,
  KIBITZ_STUN_METHOD_CREATE_PERMISSION = 0x008,
  KIBITZ_STUN_METHOD_CHANNEL_BIND      = 0x009,
} KibitzStunMethod;

typedef enum {
  /* Comprehension-required (0x0000-0x7FFF). */
  KIBITZ_STUN_ATTR_MAPPED_ADDRESS           = 0x0001,
  KIBITZ_STUN_ATTR_USERNAME                 = 0x0006,
  KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY        = 0x0008,
  KIBITZ_STUN_ATTR_ERROR_CODE               = 0x0009,
  KIBITZ_STUN_ATTR_UNKNOWN_ATTRIBUTES       = 0x000A,
  KIBITZ_STUN_ATTR_CHANNEL_NUMBER           = 0x000C,
  KIBITZ_STUN_ATTR_LIFETIME                 = 0x000D,
  KIBITZ_STUN_ATTR_XOR_PEER_ADDRESS         = 0x0012,
  KIBITZ_STUN_ATTR_DATA                     = 0x0013,
  KIBITZ_STUN_ATTR_REALM                    = 0x0014,
  KIBITZ_STUN_ATTR_NONCE                    = 0x0015,
  KIBITZ_STUN_ATTR_XOR_RELAYED_ADDRESS      = 0x0016,
  KIBITZ_STUN_ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017,
  KIBITZ_STUN_ATTR_EVEN_PORT                = 0x0018,
  KIBITZ_STUN_ATTR_REQUESTED_TRANSPORT      = 0x0019,
  KIBITZ_STUN_ATTR_DONT_FRAGMENT            = 0x001A,
  KIBITZ_STUN_ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C,
  KIBITZ_STUN_ATTR_USERHASH                 = 0x001E,
  KIBITZ_STUN_ATTR_XOR_MAPPED_ADDRESS       = 0x0020,
  KIBITZ_STUN_ATTR_RESERVATION_TOKEN        = 0x0022,
  KIBITZ_STUN_ATTR_PRIORITY                 = 0x0024,
  KIBITZ_STUN_ATTR_USE_CANDIDATE            = 0x0025,
  /* Comprehension-optional (0x8000-0xFFFF). */
  KIBITZ_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000,
  KIBITZ_STUN_ATTR_ADDRESS_ERROR_CODE       = 0x8001,
  KIBITZ_STUN_ATTR_PASSWORD_ALGORITHMS      = 0x8002,
  KIBITZ_STUN_ATTR_ALTERNATE_DOMAIN         = 0x8003,
  KIBITZ_STUN_ATTR_SOFTWARE                 = 0x8022,
  KIBITZ_STUN_ATTR_ALTERNATE_SERVER         = 0x8023,
  KIBITZ_STUN_ATTR_FINGERPRINT              = 0x8028,
  KIBITZ_STUN_ATTR_ICE_CONTROLLED           = 0x8029,
  KIBITZ_STUN_ATTR_ICE_CONTROLLING          = 0x802A,
  KIBITZ_STUN_ATTR_RESPONSE_ORIGIN          = 0x802B,
  KIBITZ_STUN_ATTR_OTHER_ADDRESS            = 0x802C,
} KibitzStunAttrType;

typedef enum {
  KIBITZ_STUN_ERROR_TRY_ALTERNATE                  = 300,
  KIBITZ_STUN_ERROR_BAD_REQUEST                    = 400,
  KIBITZ_STUN_ERROR_UNAUTHORIZED                   = 401,
  KIBITZ_STUN_ERROR_FORBIDDEN                      = 403,
  KIBITZ_STUN_ERROR_UNKNOWN_ATTRIBUTE              = 420,
  KIBITZ_STUN_ERROR_ALLOCATION_MISMATCH            = 437,
  KIBITZ_STUN_ERROR_STALE_NONCE                    = 438,
  KIBITZ_STUN_ERROR_ADDRESS_FAMILY_NOT_SUPPORTED   = 440,
  KIBITZ_STUN_ERROR_WRONG_CREDENTIALS              = 441,
  KIBITZ_STUN_ERROR_UNSUPPORTED_TRANSPORT_PROTOCOL = 442,
  KIBITZ_STUN_ERROR_PEER_ADDRESS_FAMILY_MISMATCH   = 443,
  KIBITZ_STUN_ERROR_ALLOCATION_QUOTA_REACHED       = 486,
  KIBITZ_STUN_ERROR_SERVER_ERROR                   = 500,
  KIBITZ_STUN_ERROR_INSUFFICIENT_CAPACITY          = 508,
} KibitzStunErrorCode;

/* The values of MAPPED-ADDRESS and friends, and of REQUESTED-ADDRESS-FAMILY. */
typedef enum {
  KIBITZ_STUN_FAMILY_IPV4 = 0x01,
  KIBITZ_STUN_FAMILY_IPV6 = 0x02,
} KibitzStunFamily;

/* Why a message was refused. The relay parses every packet, so a failure is a
 * code and not a GError: a flood of garbage must not cost an allocation each. */
typedef enum {
  KIBITZ_STUN_PARSE_OK = 0,
  KIBITZ_STUN_PARSE_TRUNCATED,           /* shorter than its header or its length says */
  KIBITZ_STUN_PARSE_NOT_STUN,            /* the first two bits are not zero */
  KIBITZ_STUN_PARSE_BAD_COOKIE,
  KIBITZ_STUN_PARSE_BAD_LENGTH,          /* length not a multiple of 4, or trailing bytes */
  KIBITZ_STUN_PARSE_ATTR_OVERFLOW,       /* an attribute (with its padding) runs past the end */
  KIBITZ_STUN_PARSE_BAD_INTEGRITY_ATTR,  /* MESSAGE-INTEGRITY that is not 20 bytes */
  KIBITZ_STUN_PARSE_BAD_FINGERPRINT_ATTR, /* FINGERPRINT not 4 bytes or not last */
  KIBITZ_STUN_PARSE_BAD_FINGERPRINT,     /* FINGERPRINT present but wrong */
} KibitzStunParseStatus;

typedef struct {
  guint16       type;
  guint16       length;  /* of the value, without padding */
  const guint8 *value;
} KibitzStunAttr;

typedef struct {
  guint8  family;   /* KibitzStunFamily */
  guint16 port;     /* host byte order */
  guint8  addr[16]; /* network byte order; the first 4 bytes for IPv4 */
} KibitzStunAddress;

/* The index of the first occurrence of each attribute this codec knows. It is
 * private to the codec: use kibitz_stun_message_find() and the getters. */
#define KIBITZ_STUN_KNOWN_ATTR_COUNT 32

typedef struct {
  const guint8 *data;               /* the whole message, header included */
  gsize         length;             /* KIBITZ_STUN_HEADER_SIZE + body length */
  guint16       method;             /* KibitzStunMethod */
  guint8        klass;              /* KibitzStunClass */
  const guint8 *transaction_id;     /* KIBITZ_STUN_TRANSACTION_ID_SIZE bytes */
  gsize         attrs_end;          /* end of the attributes that count (MI included) */
  gsize         integrity_offset;   /* of the MESSAGE-INTEGRITY header, or 0 */
  gsize         fingerprint_offset; /* of the FINGERPRINT header, or 0 */
  guint         n_unknown;          /* unknown comprehension-required attributes */
  guint16       unknown[KIBITZ_STUN_MAX_UNKNOWN];
  guint32       known_offset[KIBITZ_STUN_KNOWN_ATTR_COUNT];
} KibitzStunMessage;

typedef struct {
  const KibitzStunMessage *message;
  gsize                    offset;
} KibitzStunAttrIter;

typedef struct {
  guint8  *buffer;
  gsize    capacity;
  gsize    length;
  gboolean overflow; /* sticky: once set, every later call fails too */
} KibitzStunWriter;

/* What the first bytes of a TCP stream (or a UDP datagram) hold. */
typedef enum {
  KIBITZ_STUN_FRAME_INVALID,
  KIBITZ_STUN_FRAME_NEED_MORE,
  KIBITZ_STUN_FRAME_STUN,
  KIBITZ_STUN_FRAME_CHANNEL_DATA,
} KibitzStunFrameKind;

/* Parsing. */
KibitzStunParseStatus kibitz_stun_message_parse         (KibitzStunMessage        *message,
                                                         const guint8             *data,
                                                         gsize                     length);
const char           *kibitz_stun_parse_status_to_string (KibitzStunParseStatus    status);
gboolean              kibitz_stun_message_is_stun       (const guint8             *data,
                                                         gsize                     length);
gboolean              kibitz_stun_message_find          (const KibitzStunMessage  *message,
                                                         guint16                   type,
                                                         KibitzStunAttr           *attr);
gboolean              kibitz_stun_message_has           (const KibitzStunMessage  *message,
                                                         guint16                   type);
void                  kibitz_stun_attr_iter_init        (KibitzStunAttrIter       *iter,
                                                         const KibitzStunMessage  *message);
gboolean              kibitz_stun_attr_iter_next        (KibitzStunAttrIter       *iter,
                                                         KibitzStunAttr           *attr);
gboolean              kibitz_stun_attr_is_comprehension_required (guint16          type);

/* Typed getters: each returns FALSE when the attribute is absent or malformed.
 * The kibitz_stun_attr_ ones decode one attribute, for those that may repeat
 * (CreatePermission carries one XOR-PEER-ADDRESS per peer). */
gboolean kibitz_stun_attr_get_xor_address    (const KibitzStunAttr    *attr,
                                              const guint8            *transaction_id,
                                              KibitzStunAddress       *address);
gboolean kibitz_stun_message_get_address     (const KibitzStunMessage *message,
                                              guint16                  type,
                                              KibitzStunAddress       *address);
gboolean kibitz_stun_message_get_xor_address (const KibitzStunMessage *message,
                                              guint16                  type,
                                              KibitzStunAddress       *address);
gboolean kibitz_stun_message_get_uint32      (const KibitzStunMessage *message,
                                              guint16                  type,
                                              guint32                 *value);
gboolean kibitz_stun_message_get_uint64      (const KibitzStunMessage *message,
                                              guint16                  type,
                                              guint64                 *value);
gboolean kibitz_stun_message_get_bytes       (const KibitzStunMessage *message,
                                              guint16                  type,
                                              const guint8           **value,
                                              gsize                   *length);
gboolean kibitz_stun_message_get_text        (const KibitzStunMessage *message,
                                              guint16                  type,
                                              const char             **text,
                                              gsize                   *length);
gboolean kibitz_stun_message_get_error_code  (const KibitzStunMessage *message,
                                              int                     *code,
                                              const char             **reason,
                                              gsize                   *reason_length);
gboolean kibitz_stun_message_get_channel_number (const KibitzStunMessage *message,
                                                 guint16                 *channel);
gboolean kibitz_stun_message_get_requested_transport (const KibitzStunMessage *message,
                                                      guint8                  *protocol);
gboolean kibitz_stun_message_get_requested_family (const KibitzStunMessage *message,
                                                   guint8                  *family);
gboolean kibitz_stun_message_get_even_port   (const KibitzStunMessage *message,
                                              gboolean                *reserve_next);
gboolean kibitz_stun_message_get_unknown_attributes (const KibitzStunMessage *message,
                                                     guint16                 *types,
                                                     gsize                    max_types,
                                                     gsize                   *n_types);

/* Building. */
void     kibitz_stun_writer_init          (KibitzStunWriter  *writer,
                                           guint8            *buffer,
                                           gsize              capacity,
                                           guint16            method,
                                           KibitzStunClass    klass,
                                           const guint8      *transaction_id);
guint8  *kibitz_stun_writer_reserve       (KibitzStunWriter  *writer,
                                           guint16            type,
                                           gsize              length);
gboolean kibitz_stun_writer_add           (KibitzStunWriter  *writer,
                                           guint16            type,
                                           const void        *value,
                                           gsize              length);
gboolean kibitz_stun_writer_add_uint32    (KibitzStunWriter  *writer,
                                           guint16            type,
                                           guint32            value);
gboolean kibitz_stun_writer_add_uint64    (KibitzStunWriter  *writer,
                                           guint16            type,
                                           guint64            value);
gboolean kibitz_stun_writer_add_text      (KibitzStunWriter  *writer,
                                           guint16            type,
                                           const char        *text);
gboolean kibitz_stun_writer_add_address   (KibitzStunWriter  *writer,
                                           guint16            type,
                                           const KibitzStunAddress *address);
gboolean kibitz_stun_writer_add_xor_address (KibitzStunWriter *writer,
                                             guint16           type,
                                             const KibitzStunAddress *address);
gboolean kibitz_stun_writer_add_error_code (KibitzStunWriter *writer,
                                            int               code,
                                            const char       *reason);
gboolean kibitz_stun_writer_add_channel_number (KibitzStunWriter *writer,
                                                guint16           channel);
gboolean kibitz_stun_writer_add_requested_transport (KibitzStunWriter *writer,
                                                     guint8            protocol);
gboolean kibitz_stun_writer_add_requested_family (KibitzStunWriter *writer,
                                                  guint8            family);
gboolean kibitz_stun_writer_add_even_port (KibitzStunWriter  *writer,
                                           gboolean           reserve_next);
gboolean kibitz_stun_writer_add_unknown_attributes (KibitzStunWriter *writer,
                                                    const guint16    *types,
                                                    gsize             n_types);
gsize    kibitz_stun_writer_finish        (KibitzStunWriter  *writer);

/* Addresses. */
gboolean kibitz_stun_address_from_sockaddr (KibitzStunAddress     *address,
                                            const struct sockaddr *sa,
                                            socklen_t              sa_len);
socklen_t kibitz_stun_address_to_sockaddr  (const KibitzStunAddress *address,
                                            struct sockaddr_storage *storage);
gboolean kibitz_stun_address_equal         (const KibitzStunAddress *a,
                                            const KibitzStunAddress *b);
char    *kibitz_stun_address_to_string     (const KibitzStunAddress *address) G_GNUC_WARN_UNUSED_RESULT;

/* Framing: STUN and ChannelData share a port, and a TCP stream carries both. */
KibitzStunFrameKind kibitz_stun_frame_peek (const guint8 *data,
                                            gsize         length,
                                            gboolean      stream,
                                            gsize        *frame_length);
gboolean kibitz_stun_channel_data_parse    (const guint8  *data,
                                            gsize          length,
                                            gboolean       stream,
                                            guint16       *channel,
                                            const guint8 **payload,
                                            gsize         *payload_length);
gsize    kibitz_stun_channel_data_write    (guint8        *buffer,
                                            gsize          capacity,
                                            gboolean       stream,
                                            guint16        channel,
                                            const guint8  *payload,
                                            gsize          payload_length);
gsize    kibitz_stun_channel_data_write_header (guint8    *header,
                                                guint16    channel,
                                                gsize      payload_length);

G_END_DECLS

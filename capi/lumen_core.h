/* capi/lumen_core.h — lumen's stable, versioned C ABI over the core.
 *
 * The only interface of lumen meant to be linked from other languages (C, Rust, Go, Python
 * via ctypes/cffi, Swift, ...). It wraps the pure-computation core: both erasure codecs,
 * Moonlight's video and audio packetizers/depacketizers, lumen's own transport (sender and
 * receiver, key derivation) and the session state machines. No function here does I/O,
 * starts threads or reads a clock: time is always an argument.
 *
 * Rules (see docs/c-abi.md):
 *  - Versioning: lumen_abi_version() returns (major << 16) | minor. A caller built against
 *    major M works with any library of major M and minor >= the one it was built with.
 *    Minor versions only append functions and append fields to the END of config structs.
 *  - Every config/info struct starts with `uint32_t struct_size`, which the caller sets to
 *    sizeof(the struct it was compiled with) (use LUMEN_INIT(&cfg)). The library reads a field
 *    only when struct_size covers it, so an older (smaller) struct gets defaults for fields it
 *    does not know, and a newer (larger) struct is accepted with its unknown tail ignored.
 *    A struct_size smaller than the first published size of that struct is rejected.
 *  - Every function returns an int status: LUMEN_OK (0) or a negative LUMEN_ERR_* code
 *    (lumen_status_string() names it). Nothing crosses this boundary as an exception.
 *  - Handles are opaque; each *_create has a matching *_destroy (NULL is accepted).
 *    A handle is not thread-safe: use one per thread, or lock around it.
 *  - Callbacks receive spans that stay valid only until the callback returns.
 */
#ifndef LUMEN_CAPI_LUMEN_CORE_H_
#define LUMEN_CAPI_LUMEN_CORE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LUMEN_API __attribute__((visibility("default")))
#else
#define LUMEN_API
#endif

#define LUMEN_ABI_VERSION_MAJOR 1
#define LUMEN_ABI_VERSION_MINOR 0
#define LUMEN_ABI_VERSION ((LUMEN_ABI_VERSION_MAJOR << 16) | LUMEN_ABI_VERSION_MINOR)

/* Zero a config struct and set its struct_size. */
#define LUMEN_INIT(ptr)                         \
  do {                                          \
    unsigned char* lumen_p_ = (unsigned char*)(ptr); \
    size_t lumen_i_;                            \
    for (lumen_i_ = 0; lumen_i_ < sizeof(*(ptr)); ++lumen_i_) lumen_p_[lumen_i_] = 0; \
    (ptr)->struct_size = (uint32_t)sizeof(*(ptr)); \
  } while (0)

/* ---- status codes ------------------------------------------------------------------ */
enum {
  LUMEN_OK = 0,
  LUMEN_ERR_INVALID_ARGUMENT = -1, /* null pointer, value out of range, bad struct_size */
  LUMEN_ERR_TOO_FEW_SHARDS = -2,   /* erasure decode: more shards lost than parity covers */
  LUMEN_ERR_UNSUPPORTED = -3,      /* valid request this build or codec cannot do */
  LUMEN_ERR_BUFFER_TOO_SMALL = -4, /* caller's output buffer cannot hold the result */
  LUMEN_ERR_NO_MEMORY = -5,
  LUMEN_ERR_FRAME_TOO_LARGE = -6,  /* frame exceeds the configured or protocol maximum */
  LUMEN_ERR_DROPPED = -7,          /* input datagram rejected (malformed, stale, forged...) */
  LUMEN_ERR_INVALID_STATE = -8,    /* session: the event is not valid in the current state */
  LUMEN_ERR_INTERNAL = -9
};

/* (major << 16) | minor of the library actually loaded. */
LUMEN_API uint32_t lumen_abi_version(void);
/* Static English name of a status code ("ok", "invalid argument", ...). Never NULL. */
LUMEN_API const char* lumen_status_string(int status);

/* ---- erasure codecs ---------------------------------------------------------------- */
enum {
  LUMEN_FEC_GF256_CAUCHY = 1,          /* Moonlight video FEC: k + m <= 255, any length >= 1 */
  LUMEN_FEC_GF256_MOONLIGHT_AUDIO = 2, /* Moonlight audio 4 + 2 fixed matrix */
  LUMEN_FEC_GF65536 = 3                /* lumen FFT code: k + m <= 65535, length % 64 == 0 */
};

typedef struct lumen_fec lumen_fec;

typedef struct lumen_fec_config {
  uint32_t struct_size;
  uint32_t kind;            /* LUMEN_FEC_* */
  uint32_t data_shards;     /* k >= 1 */
  uint32_t parity_shards;   /* m >= 1 */
  uint64_t max_shard_bytes; /* GF65536: largest len passed later (multiple of 64); else 0 */
} lumen_fec_config;

LUMEN_API int lumen_fec_create(const lumen_fec_config* config, lumen_fec** out);
LUMEN_API void lumen_fec_destroy(lumen_fec* fec);
/* data: k pointers, parity: m pointers, each `len` bytes. Writes the parity. */
LUMEN_API int lumen_fec_encode(lumen_fec* fec, const uint8_t* const* data,
                               uint8_t* const* parity, size_t len);
/* shards: k + m pointers (every one a valid len-byte buffer, lost ones too);
 * missing[i] != 0 marks shard i lost. Lost DATA shards are rebuilt in place. */
LUMEN_API int lumen_fec_decode(lumen_fec* fec, uint8_t* const* shards, const uint8_t* missing,
                               size_t len);

/* ---- callbacks --------------------------------------------------------------------- */
/* One outgoing datagram. */
typedef void (*lumen_datagram_fn)(void* user, const uint8_t* data, size_t len);

/* A completed video frame (Moonlight or lumen framing). */
typedef struct lumen_frame_info {
  uint32_t struct_size;
  uint32_t frame_index;      /* Moonlight frameIndex / lumen frame id */
  uint32_t frame_type;       /* Moonlight: 1 P, 2 IDR, 4 intra refresh, 5 after RFI; lumen: flags */
  uint32_t rtp_timestamp;    /* Moonlight only (90 kHz) */
  uint32_t recovered_shards; /* data shards rebuilt by FEC (lumen: 1 when any was) */
  const uint8_t* data;       /* the access unit */
  size_t len;
} lumen_frame_info;
typedef void (*lumen_frame_fn)(void* user, const lumen_frame_info* frame);

/* ---- Moonlight video --------------------------------------------------------------- */
typedef struct lumen_ml_video_packetizer lumen_ml_video_packetizer;

typedef struct lumen_ml_video_packetizer_config {
  uint32_t struct_size;
  int32_t packet_size;     /* ANNOUNCE packetSize, 64..9000 (1392 typical) */
  int32_t fec_percent;     /* 0..255 (20 typical) */
  int32_t min_fec_packets; /* client's minRequiredFecPackets (2) */
  uint32_t ssrc;
  uint32_t encrypt;        /* nonzero: AES-128-GCM video encryption with key */
  uint8_t key[16];         /* rikey */
  uint64_t max_frame_bytes; /* 0 = protocol maximum */
} lumen_ml_video_packetizer_config;

LUMEN_API int lumen_ml_video_packetizer_create(const lumen_ml_video_packetizer_config* config,
                                               lumen_ml_video_packetizer** out);
LUMEN_API void lumen_ml_video_packetizer_destroy(lumen_ml_video_packetizer* p);
/* Packetizes one access unit; calls emit once per datagram, in send order.
 * frame_type: 1 P, 2 IDR. */
LUMEN_API int lumen_ml_video_packetize(lumen_ml_video_packetizer* p, const uint8_t* au,
                                       size_t len, uint32_t frame_index, uint32_t frame_type,
                                       uint32_t rtp_timestamp, lumen_datagram_fn emit,
                                       void* user);

typedef struct lumen_ml_video_depacketizer lumen_ml_video_depacketizer;

typedef struct lumen_ml_video_depacketizer_config {
  uint32_t struct_size;
  int32_t packet_size;
  uint32_t encrypted;
  uint8_t key[16];
  int32_t frame_slots;       /* 0 = default (3) */
  int32_t max_frame_shards;  /* 0 = default (4 x 255) */
  uint64_t frame_timeout_us; /* 0 = default (500 ms) */
  uint32_t wait_for_idr;     /* drop non-IDR frames after a loss */
} lumen_ml_video_depacketizer_config;

typedef struct lumen_ml_video_stats {
  uint32_t struct_size;
  uint64_t datagrams;
  uint64_t accepted;
  uint64_t dropped;          /* all drop reasons */
  uint64_t frames_delivered;
  uint64_t frames_recovered;
  uint64_t frames_lost;
  uint64_t idr_requests;
} lumen_ml_video_stats;

LUMEN_API int lumen_ml_video_depacketizer_create(
    const lumen_ml_video_depacketizer_config* config, lumen_ml_video_depacketizer** out);
LUMEN_API void lumen_ml_video_depacketizer_destroy(lumen_ml_video_depacketizer* d);
/* Feeds one datagram. on_frame is called for a frame it completes. Returns LUMEN_OK when
 * accepted, LUMEN_ERR_DROPPED when rejected (counted). */
LUMEN_API int lumen_ml_video_depacketizer_push(lumen_ml_video_depacketizer* d,
                                               const uint8_t* datagram, size_t len,
                                               uint64_t now_us, lumen_frame_fn on_frame,
                                               void* user);
/* 1 once after each unrecoverable frame (send an IDR request), else 0. */
LUMEN_API int lumen_ml_video_depacketizer_take_idr_request(lumen_ml_video_depacketizer* d);
LUMEN_API int lumen_ml_video_depacketizer_stats(const lumen_ml_video_depacketizer* d,
                                                lumen_ml_video_stats* out);

/* ---- Moonlight audio --------------------------------------------------------------- */
typedef struct lumen_ml_audio_config {
  uint32_t struct_size;
  int32_t packet_duration_ms; /* 5 (default when 0), 10 or 20 */
  uint32_t encrypt;           /* AES-128-CBC with key and rikeyid */
  uint8_t key[16];
  uint32_t rikeyid;
  uint32_t fec;               /* packetizer: send RS(4,2) FEC packets */
} lumen_ml_audio_config;

typedef struct lumen_audio_packet_info {
  uint32_t struct_size;
  uint32_t sequence;
  uint32_t timestamp;
  uint32_t lost;      /* nothing to decode: conceal */
  uint32_t recovered; /* rebuilt from FEC */
  const uint8_t* opus;
  size_t len;
} lumen_audio_packet_info;
typedef void (*lumen_audio_fn)(void* user, const lumen_audio_packet_info* packet);

typedef struct lumen_ml_audio_packetizer lumen_ml_audio_packetizer;
typedef struct lumen_ml_audio_depacketizer lumen_ml_audio_depacketizer;

LUMEN_API int lumen_ml_audio_packetizer_create(const lumen_ml_audio_config* config,
                                               lumen_ml_audio_packetizer** out);
LUMEN_API void lumen_ml_audio_packetizer_destroy(lumen_ml_audio_packetizer* p);
/* One Opus packet -> its RTP datagram (and, after every 4th, the 2 FEC datagrams). */
LUMEN_API int lumen_ml_audio_packetize(lumen_ml_audio_packetizer* p, const uint8_t* opus,
                                       size_t len, lumen_datagram_fn emit, void* user);
LUMEN_API int lumen_ml_audio_depacketizer_create(const lumen_ml_audio_config* config,
                                                 lumen_ml_audio_depacketizer** out);
LUMEN_API void lumen_ml_audio_depacketizer_destroy(lumen_ml_audio_depacketizer* d);
LUMEN_API int lumen_ml_audio_depacketizer_push(lumen_ml_audio_depacketizer* d,
                                               const uint8_t* datagram, size_t len,
                                               uint64_t now_us, lumen_audio_fn on_packet,
                                               void* user);

/* ---- lumen transport --------------------------------------------------------------- */
enum { LUMEN_AEAD_AUTO = 0, LUMEN_AEAD_AES256GCM = 1, LUMEN_AEAD_XCHACHA20POLY1305 = 2 };

/* Derives the two 32-byte direction keys from the 16-byte launch secret (rikey) and both
 * sides' 16-byte negotiation nonces. */
LUMEN_API int lumen_lt_derive_keys(const uint8_t launch_secret[16], const uint8_t host_nonce[16],
                                   const uint8_t client_nonce[16], uint32_t session_id,
                                   uint8_t host_to_client[32], uint8_t client_to_host[32]);

typedef struct lumen_lt_config {
  uint32_t struct_size;
  uint32_t session_id;
  uint32_t aead;            /* LUMEN_AEAD_*; AUTO picks AES-256-GCM when the CPU has AES-NI */
  uint8_t key[32];          /* this direction's key */
  uint32_t datagram_budget; /* bytes per datagram incl. headers; 0 = 1408 */
  uint64_t max_frame_bytes; /* 0 = 8 MiB */
} lumen_lt_config;

typedef struct lumen_lt_sender lumen_lt_sender;
typedef struct lumen_lt_receiver lumen_lt_receiver;

LUMEN_API int lumen_lt_sender_create(const lumen_lt_config* config, lumen_lt_sender** out);
LUMEN_API void lumen_lt_sender_destroy(lumen_lt_sender* s);
/* Bytes of every datagram this sender emits. */
LUMEN_API size_t lumen_lt_sender_datagram_bytes(const lumen_lt_sender* s);
/* One frame -> one GF(2^16) block: k data + parity_shards parity datagrams, each emitted. */
LUMEN_API int lumen_lt_send_frame(lumen_lt_sender* s, const uint8_t* frame, size_t len,
                                  uint32_t frame_id, uint32_t parity_shards, uint32_t keyframe,
                                  lumen_datagram_fn emit, void* user);
LUMEN_API int lumen_lt_receiver_create(const lumen_lt_config* config, lumen_lt_receiver** out);
LUMEN_API void lumen_lt_receiver_destroy(lumen_lt_receiver* r);
/* Feeds one datagram; on_frame is called when it completes a frame. LUMEN_ERR_DROPPED when
 * rejected (forged, replayed, malformed, stale). */
LUMEN_API int lumen_lt_receiver_push(lumen_lt_receiver* r, const uint8_t* datagram, size_t len,
                                     lumen_frame_fn on_frame, void* user);
/* 1 when a frame was lost since the last keyframe (ask for an IDR), else 0. Clears it. */
LUMEN_API int lumen_lt_receiver_take_need_idr(lumen_lt_receiver* r);

/* ---- session state machines --------------------------------------------------------- */
typedef struct lumen_host_session lumen_host_session;

/* Events and actions mirror core/session/host_session.h (values are ABI-stable). */
enum {
  LUMEN_HOST_EV_LAUNCH = 0, LUMEN_HOST_EV_RTSP_OPTIONS, LUMEN_HOST_EV_RTSP_DESCRIBE,
  LUMEN_HOST_EV_RTSP_SETUP_AUDIO, LUMEN_HOST_EV_RTSP_SETUP_VIDEO,
  LUMEN_HOST_EV_RTSP_SETUP_CONTROL, LUMEN_HOST_EV_RTSP_ANNOUNCE, LUMEN_HOST_EV_RTSP_PLAY,
  LUMEN_HOST_EV_CONTROL_CONNECTED, LUMEN_HOST_EV_CONTROL_MESSAGE, LUMEN_HOST_EV_IDR_REQUESTED,
  LUMEN_HOST_EV_VIDEO_PING, LUMEN_HOST_EV_AUDIO_PING, LUMEN_HOST_EV_CONTROL_DISCONNECTED,
  LUMEN_HOST_EV_CANCEL, LUMEN_HOST_EV_APP_EXITED, LUMEN_HOST_EV_HOST_STOP, LUMEN_HOST_EV_TICK
};
enum {
  LUMEN_HOST_ACT_INCLUDE_LUMEN_OFFER = 0, LUMEN_HOST_ACT_DERIVE_LUMEN_KEYS,
  LUMEN_HOST_ACT_CREATE_STREAMS, LUMEN_HOST_ACT_START_AUDIO, LUMEN_HOST_ACT_START_VIDEO_LUMEN,
  LUMEN_HOST_ACT_START_VIDEO_MOONLIGHT, LUMEN_HOST_ACT_SEND_IDR, LUMEN_HOST_ACT_PERIODIC,
  LUMEN_HOST_ACT_SEND_TERMINATION, LUMEN_HOST_ACT_STOP_STREAMS, LUMEN_HOST_ACT_DROP_SESSION
};

typedef struct lumen_host_session_config {
  uint32_t struct_size;
  uint32_t lumen_transport; /* offer lumen transport in DESCRIBE */
} lumen_host_session_config;

LUMEN_API int lumen_host_session_create(const lumen_host_session_config* config,
                                        lumen_host_session** out);
LUMEN_API void lumen_host_session_destroy(lumen_host_session* s);
/* Most actions one event can produce: size the actions array with this. */
#define LUMEN_HOST_MAX_ACTIONS 8

/* Applies one event at monotonic time now_us. *action_count is the capacity of `actions`
 * (at least LUMEN_HOST_MAX_ACTIONS, else LUMEN_ERR_BUFFER_TOO_SMALL and nothing changes); on
 * return it holds how many actions (LUMEN_HOST_ACT_*) were written. LUMEN_ERR_INVALID_STATE when the
 * event is not valid now (nothing changes); lumen_host_session_last_error() says why. */
LUMEN_API int lumen_host_session_event(lumen_host_session* s, uint32_t event,
                                       uint32_t lumen_accept_valid, uint64_t now_us,
                                       uint32_t* actions, size_t* action_count);
/* Current state name ("idle", "streaming", ...). Static string. */
LUMEN_API const char* lumen_host_session_state(const lumen_host_session* s);
/* Reason for the last rejected event (valid until the next call on s). */
LUMEN_API const char* lumen_host_session_last_error(const lumen_host_session* s);
/* Monotonic time in us when the caller should deliver the next TICK; UINT64_MAX if none. */
LUMEN_API uint64_t lumen_host_session_next_deadline_us(const lumen_host_session* s);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LUMEN_CAPI_LUMEN_CORE_H_ */

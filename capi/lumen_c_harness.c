/* capi/lumen_c_harness.c — a client written in C11 against lumen_core.h only.
 *
 * Round-trips frames through packetizer -> lossy channel -> depacketizer for Moonlight framing
 * (GF(2^8) FEC, 4 blocks max) and lumen framing (GF(2^16) FEC, AEAD), checks every delivered
 * frame byte for byte, exercises both erasure codecs directly, and checks error handling.
 * Exits 0 on success; prints what failed otherwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi/lumen_core.h"

static int failures = 0;
#define CHECK(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                       \
    }                                                                   \
  } while (0)

/* xorshift64*: deterministic loss and content. */
static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1Dull;
}

/* ---- a lossy channel that forwards into a depacketizer ---- */
typedef struct channel {
  int loss_per_mille;
  unsigned long sent, dropped;
  lumen_ml_video_depacketizer* ml;
  lumen_lt_receiver* lt;
  uint64_t now_us;
} channel;

typedef struct expect {
  const uint8_t* data;
  size_t len;
  uint32_t frame_index;
  int delivered;
  int wrong;
  int recovered;
} expect;

static expect current;

static void on_frame(void* user, const lumen_frame_info* f) {
  (void)user;
  if (f->frame_index != current.frame_index || f->len != current.len ||
      memcmp(f->data, current.data, f->len) != 0) {
    current.wrong = 1;
    return;
  }
  current.delivered = 1;
  if (f->recovered_shards) current.recovered = 1;
}

static void on_datagram(void* user, const uint8_t* data, size_t len) {
  channel* ch = (channel*)user;
  ++ch->sent;
  if ((int)(rnd() % 1000) < ch->loss_per_mille) {
    ++ch->dropped;
    return;
  }
  if (ch->ml) lumen_ml_video_depacketizer_push(ch->ml, data, len, ch->now_us, on_frame, NULL);
  if (ch->lt) lumen_lt_receiver_push(ch->lt, data, len, on_frame, NULL);
}

static void fill(uint8_t* p, size_t n) {
  size_t i;
  for (i = 0; i < n; ++i) p[i] = (uint8_t)rnd();
}

static void moonlight_round_trip(void) {
  lumen_ml_video_packetizer_config pc;
  lumen_ml_video_depacketizer_config dc;
  lumen_ml_video_packetizer* pk = NULL;
  lumen_ml_video_depacketizer* dp = NULL;
  lumen_ml_video_stats st;
  channel ch;
  uint8_t* frame = (uint8_t*)malloc(300000);
  int delivered = 0, recovered = 0, f;

  LUMEN_INIT(&pc);
  pc.packet_size = 1392;
  pc.fec_percent = 20;
  pc.min_fec_packets = 2;
  pc.encrypt = 1;
  memset(pc.key, 0x42, sizeof pc.key);
  CHECK(lumen_ml_video_packetizer_create(&pc, &pk) == LUMEN_OK);

  LUMEN_INIT(&dc);
  dc.packet_size = 1392;
  dc.encrypted = 1;
  memset(dc.key, 0x42, sizeof dc.key);
  dc.wait_for_idr = 0;
  CHECK(lumen_ml_video_depacketizer_create(&dc, &dp) == LUMEN_OK);

  memset(&ch, 0, sizeof ch);
  ch.ml = dp;
  ch.loss_per_mille = 30; /* 3 % random loss: within 20 % FEC */
  for (f = 1; f <= 60; ++f) {
    size_t len = 1000 + (size_t)(rnd() % 250000);
    fill(frame, len);
    memset(&current, 0, sizeof current);
    current.data = frame;
    current.len = len;
    current.frame_index = (uint32_t)f;
    ch.now_us = (uint64_t)f * 16667;
    CHECK(lumen_ml_video_packetize(pk, frame, len, (uint32_t)f, f == 1 ? 2 : 1,
                                   (uint32_t)f * 1500, on_datagram, &ch) == LUMEN_OK);
    CHECK(!current.wrong);
    delivered += current.delivered;
    recovered += current.recovered;
  }
  printf("moonlight: %d/60 frames delivered, %d needed FEC, %lu/%lu datagrams lost\n", delivered,
         recovered, ch.dropped, ch.sent);
  CHECK(delivered >= 57);
  CHECK(recovered > 10);

  LUMEN_INIT(&st);
  CHECK(lumen_ml_video_depacketizer_stats(dp, &st) == LUMEN_OK);
  CHECK(st.frames_delivered == (uint64_t)delivered);

  /* Garbage is dropped and counted, never delivered. */
  {
    uint8_t junk[1500];
    int i;
    for (i = 0; i < 200; ++i) {
      size_t n = (size_t)(rnd() % sizeof junk);
      fill(junk, n);
      CHECK(lumen_ml_video_depacketizer_push(dp, junk, n, 0, on_frame, NULL) ==
            LUMEN_ERR_DROPPED);
    }
  }
  lumen_ml_video_packetizer_destroy(pk);
  lumen_ml_video_depacketizer_destroy(dp);
  free(frame);
}

static void lumen_round_trip(void) {
  uint8_t secret[16], hn[16], cn[16], h2c[32], c2h[32];
  lumen_lt_config cfg;
  lumen_lt_sender* tx = NULL;
  lumen_lt_receiver* rx = NULL;
  channel ch;
  /* 2 MB frames: beyond Moonlight's 4 x 255 shards, one GF(2^16) block here. */
  const size_t max_len = 2u << 20;
  uint8_t* frame = (uint8_t*)malloc(max_len);
  int delivered = 0, f;

  fill(secret, 16);
  fill(hn, 16);
  fill(cn, 16);
  CHECK(lumen_lt_derive_keys(secret, hn, cn, 9, h2c, c2h) == LUMEN_OK);
  CHECK(memcmp(h2c, c2h, 32) != 0);

  LUMEN_INIT(&cfg);
  cfg.session_id = 9;
  memcpy(cfg.key, h2c, 32);
  cfg.max_frame_bytes = max_len;
  CHECK(lumen_lt_sender_create(&cfg, &tx) == LUMEN_OK);
  CHECK(lumen_lt_receiver_create(&cfg, &rx) == LUMEN_OK);
  CHECK(lumen_lt_sender_datagram_bytes(tx) <= 1408);

  memset(&ch, 0, sizeof ch);
  ch.lt = rx;
  ch.loss_per_mille = 50; /* 5 % loss, 20 % parity */
  for (f = 1; f <= 8; ++f) {
    size_t len = max_len - (size_t)(rnd() % 4096);
    size_t shard = lumen_lt_sender_datagram_bytes(tx);
    uint32_t k = (uint32_t)((len + shard - 1) / shard);
    fill(frame, len);
    memset(&current, 0, sizeof current);
    current.data = frame;
    current.len = len;
    current.frame_index = (uint32_t)f;
    CHECK(lumen_lt_send_frame(tx, frame, len, (uint32_t)f, k / 5 + 2, f == 1, on_datagram, &ch) ==
          LUMEN_OK);
    CHECK(!current.wrong);
    CHECK(current.delivered);
    delivered += current.delivered;
  }
  printf("lumen: %d/8 two-megabyte frames delivered, %lu/%lu datagrams lost\n", delivered,
         ch.dropped, ch.sent);
  CHECK(lumen_lt_receiver_take_need_idr(rx) == 0);

  /* A receiver with the wrong key rejects everything. */
  {
    lumen_lt_receiver* wrong = NULL;
    memcpy(cfg.key, c2h, 32);
    CHECK(lumen_lt_receiver_create(&cfg, &wrong) == LUMEN_OK);
    ch.lt = wrong;
    ch.loss_per_mille = 0;
    memset(&current, 0, sizeof current);
    current.data = frame;
    current.len = 5000;
    current.frame_index = 99;
    CHECK(lumen_lt_send_frame(tx, frame, 5000, 99, 2, 1, on_datagram, &ch) == LUMEN_OK);
    CHECK(!current.delivered);
    lumen_lt_receiver_destroy(wrong);
  }
  lumen_lt_sender_destroy(tx);
  lumen_lt_receiver_destroy(rx);
  free(frame);
}

static void fec_direct(void) {
  enum { K = 40, M = 8, LEN = 1408 };
  uint8_t bufs[K + M][LEN], orig[K][LEN];
  uint8_t* ptr[K + M];
  const uint8_t* data[K];
  uint8_t missing[K + M];
  lumen_fec_config cfg;
  lumen_fec* fec = NULL;
  int kind, i;
  for (kind = LUMEN_FEC_GF256_CAUCHY; kind <= LUMEN_FEC_GF65536; kind += 2) {
    LUMEN_INIT(&cfg);
    cfg.kind = (uint32_t)kind;
    cfg.data_shards = K;
    cfg.parity_shards = M;
    cfg.max_shard_bytes = LEN;
    CHECK(lumen_fec_create(&cfg, &fec) == LUMEN_OK);
    for (i = 0; i < K + M; ++i) ptr[i] = bufs[i];
    for (i = 0; i < K; ++i) {
      fill(bufs[i], LEN);
      memcpy(orig[i], bufs[i], LEN);
      data[i] = bufs[i];
    }
    CHECK(lumen_fec_encode(fec, data, ptr + K, LEN) == LUMEN_OK);
    memset(missing, 0, sizeof missing);
    for (i = 0; i < M; ++i) {
      missing[i * 5] = 1;
      memset(bufs[i * 5], 0xEE, LEN);
    }
    CHECK(lumen_fec_decode(fec, ptr, missing, LEN) == LUMEN_OK);
    for (i = 0; i < K; ++i) CHECK(memcmp(bufs[i], orig[i], LEN) == 0);
    missing[1] = 1; /* M + 1 lost */
    CHECK(lumen_fec_decode(fec, ptr, missing, LEN) == LUMEN_ERR_TOO_FEW_SHARDS);
    lumen_fec_destroy(fec);
  }
}

static void bad_input(void) {
  lumen_fec_config cfg;
  lumen_fec* fec = (lumen_fec*)1;
  lumen_ml_video_packetizer_config pc;
  lumen_ml_video_packetizer* pk = NULL;
  LUMEN_INIT(&cfg);
  cfg.kind = LUMEN_FEC_GF256_CAUCHY;
  cfg.data_shards = 0;
  cfg.parity_shards = 2;
  CHECK(lumen_fec_create(&cfg, &fec) == LUMEN_ERR_INVALID_ARGUMENT);
  CHECK(fec == NULL);
  cfg.data_shards = 250;
  cfg.parity_shards = 10;
  CHECK(lumen_fec_create(&cfg, &fec) == LUMEN_ERR_INVALID_ARGUMENT);
  cfg.struct_size = 4; /* too small to be any version of the struct */
  CHECK(lumen_fec_create(&cfg, &fec) == LUMEN_ERR_INVALID_ARGUMENT);
  CHECK(lumen_fec_create(NULL, &fec) == LUMEN_ERR_INVALID_ARGUMENT);
  CHECK(lumen_fec_encode(NULL, NULL, NULL, 0) == LUMEN_ERR_INVALID_ARGUMENT);
  LUMEN_INIT(&pc);
  pc.packet_size = 10; /* out of range */
  CHECK(lumen_ml_video_packetizer_create(&pc, &pk) == LUMEN_ERR_INVALID_ARGUMENT);
  CHECK(strcmp(lumen_status_string(LUMEN_ERR_TOO_FEW_SHARDS), "too few shards to recover") == 0);
  lumen_fec_destroy(NULL);
}

static void session(void) {
  lumen_host_session_config cfg;
  lumen_host_session* s = NULL;
  uint32_t actions[LUMEN_HOST_MAX_ACTIONS];
  size_t n = LUMEN_HOST_MAX_ACTIONS;
  LUMEN_INIT(&cfg);
  CHECK(lumen_host_session_create(&cfg, &s) == LUMEN_OK);
  CHECK(strcmp(lumen_host_session_state(s), "") != 0);
  /* PLAY before launch is rejected with a reason, state unchanged. */
  CHECK(lumen_host_session_event(s, LUMEN_HOST_EV_RTSP_PLAY, 0, 1000, actions, &n) ==
        LUMEN_ERR_INVALID_STATE);
  CHECK(strlen(lumen_host_session_last_error(s)) > 0);
  n = LUMEN_HOST_MAX_ACTIONS;
  CHECK(lumen_host_session_event(s, LUMEN_HOST_EV_LAUNCH, 0, 2000, actions, &n) == LUMEN_OK);
  CHECK(lumen_host_session_next_deadline_us(s) != UINT64_MAX);
  lumen_host_session_destroy(s);
}

int main(void) {
  CHECK((lumen_abi_version() >> 16) == LUMEN_ABI_VERSION_MAJOR);
  fec_direct();
  moonlight_round_trip();
  lumen_round_trip();
  bad_input();
  session();
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("C harness: all checks passed\n");
  return 0;
}

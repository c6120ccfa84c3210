// Random per-session identifiers (see launch_session.h).
#include "host/moonlight/rtsp/launch_session.h"

#include <sodium.h>

namespace lumen::moonlight {

void RandomizeSessionIds(LaunchSession* s) {
  static const char kHex[] = "0123456789ABCDEF";
  if (sodium_init() < 0) {
    // libsodium failing to initialise leaves randombytes unusable; abort loudly.
    __builtin_trap();
  }
  uint8_t raw[8];
  randombytes_buf(raw, sizeof(raw));
  s->ping_payload.resize(16);
  for (int i = 0; i < 8; ++i) {
    s->ping_payload[2 * i] = kHex[raw[i] >> 4];
    s->ping_payload[2 * i + 1] = kHex[raw[i] & 15];
  }
  do {
    s->connect_data = randombytes_random();
  } while (s->connect_data == 0);
}

}  // namespace lumen::moonlight

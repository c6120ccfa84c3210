// Moonlight audio RTP packets and their fixed-matrix Reed-Solomon parity (protocol doc
// §8.4-§8.6). Pure computation over caller buffers; used by the host sender and by the
// test receiver.
#ifndef LUMEN_HOST_MOONLIGHT_STREAM_AUDIO_PACKETS_H_
#define LUMEN_HOST_MOONLIGHT_STREAM_AUDIO_PACKETS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace lumen::moonlight::stream {

inline constexpr size_t kAudioRtpHeader = 12;
inline constexpr size_t kAudioFecHeader = 12;  // after the RTP header of a parity packet

// GF(2^8) multiply over the 0x11D field.
uint8_t GfMul(uint8_t a, uint8_t b) noexcept;

// parity[j][b] = XOR_i row_j[i] * data_i[b] with the fixed OpenFEC/NVIDIA matrix
// rows {77 40 38 0E} and {C7 A7 0D 6C}. All shards are `len` bytes.
void AudioFecEncode(const std::array<const uint8_t*, 4>& data, size_t len, uint8_t* parity0,
                    uint8_t* parity1) noexcept;

// Writes the 12-byte RTP header of a data packet.
void WriteAudioRtpHeader(uint8_t* p, uint16_t seq, uint32_t timestamp_ms) noexcept;

// Writes the 24-byte header of parity packet `index` (0 or 1) for the block whose first
// data packet has `base_seq` (a multiple of 4) and `base_ts`.
void WriteAudioFecHeader(uint8_t* p, int index, uint16_t base_seq, uint32_t base_ts) noexcept;

// 16-byte CBC IV for audio packet `seq`: BE32(key_id + seq), then zeros.
std::array<uint8_t, 16> AudioIv(uint32_t key_id, uint16_t seq) noexcept;

}  // namespace lumen::moonlight::stream

#endif  // LUMEN_HOST_MOONLIGHT_STREAM_AUDIO_PACKETS_H_

// PipeWire desktop audio for Moonlight sessions (see desktop_audio.h).
#include "host/moonlight/serve/desktop_audio.h"

#include <spdlog/spdlog.h>

#include <memory>

#include "host/audio/audio_source.h"

namespace lumen::moonlight::serve {

std::function<stream::OpusPacketSource(const StreamConfig&)> PipeWireAudioFactory(
    const std::string& sink) {
  return [sink](const StreamConfig& config) -> stream::OpusPacketSource {
    audio::AudioSourceConfig ac;
    ac.opus.channels = config.audio_channels == 6 || config.audio_channels == 8
                           ? config.audio_channels
                           : 2;
    ac.opus.high_quality = config.audio_high_quality;
    // AudioStream sends 5 ms packets unless the client asked for 10.
    ac.opus.frame_samples = config.audio_packet_duration_ms == 10 ? 480 : 240;
    ac.target = sink;
    auto src = audio::AudioSource::Start(ac);
    if (!src.ok()) {
      spdlog::error("audio: PipeWire source refused {} channels{}: {}; sending silence",
                    ac.opus.channels, ac.opus.high_quality ? " HQ" : "",
                    src.status().ToString());
      return nullptr;
    }
    if ((*src)->capturing()) {
      spdlog::info("audio: capturing {} from PipeWire, {} channels",
                   sink.empty() ? "the default sink's monitor" : sink, ac.opus.channels);
    } else {
      spdlog::warn("audio: no PipeWire capture ({}); sending silence",
                   (*src)->fallback_reason());
    }
    std::shared_ptr<audio::AudioSource> s(std::move(*src));
    return [s](std::vector<uint8_t>* packet, bool* silent) {
      audio::AudioPacket p;
      if (!s->NextPacket(&p).ok()) return false;
      *packet = std::move(p.data);
      *silent = p.silence;
      return true;
    };
  };
}

}  // namespace lumen::moonlight::serve

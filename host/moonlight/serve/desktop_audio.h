// Desktop audio for `lumen serve --audio=pipewire`: E2's AudioSource (host/audio: the
// default sink's monitor captured from PipeWire, Opus-encoded at a steady cadence, silence
// when PipeWire is missing or quiet) opened per session with the layout the client
// announced (stereo / 5.1 / 7.1, normal or high quality, 5 or 10 ms packets).
#ifndef LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_AUDIO_H_
#define LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_AUDIO_H_

#include <functional>
#include <string>

#include "host/moonlight/rtsp/stream_config.h"
#include "host/moonlight/stream/audio_stream.h"

namespace lumen::moonlight::serve {

// For MoonlightHostOptions::audio_packets. `sink` names the sink to monitor ("" = the
// default). A session whose layout AudioSource refuses gets null (the host then sends
// silence itself) and the reason is logged.
std::function<stream::OpusPacketSource(const StreamConfig&)> PipeWireAudioFactory(
    const std::string& sink = "");

}  // namespace lumen::moonlight::serve

#endif  // LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_AUDIO_H_

// A built-in PNG for /appasset when an app has no configured image.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_BOX_ART_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_BOX_ART_H_

#include <cstdint>
#include <string>
#include <vector>

namespace lumen::moonlight::http {

// Encodes an 8-bit RGB image (rgb.size() == width * height * 3) as a PNG file. Empty on failure.
std::string EncodePngRgb(int width, int height, const std::vector<uint8_t>& rgb);

// A generated portrait gradient (the aspect ratio clients use for box art), cached after the
// first call. Thread-safe.
const std::string& DefaultBoxArtPng();

}  // namespace lumen::moonlight::http

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_BOX_ART_H_

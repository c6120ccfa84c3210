// clients/reference/video_decoder.cc — see video_decoder.h.
#include "clients/reference/video_decoder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/log.h>
}

#include <cstdlib>
#include <vector>

#include "absl/strings/str_cat.h"

namespace lumen::client {

struct VideoDecoder::Impl {
  AVCodecContext* ctx = nullptr;
  AVPacket* pkt = nullptr;
  AVFrame* frame = nullptr;
  std::vector<uint8_t> padded;
  ~Impl() {
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&ctx);
  }
};

absl::StatusOr<std::unique_ptr<VideoDecoder>> VideoDecoder::Create(host::Codec codec) {
  if (getenv("LUMEN_FFMPEG_DEBUG") == nullptr) av_log_set_level(AV_LOG_QUIET);
  const AVCodec* c = nullptr;
  switch (codec) {
    case host::Codec::kH264:
      c = avcodec_find_decoder(AV_CODEC_ID_H264);
      break;
    case host::Codec::kHevc:
      c = avcodec_find_decoder(AV_CODEC_ID_HEVC);
      break;
    case host::Codec::kAv1:
      c = avcodec_find_decoder_by_name("libdav1d");
      if (c == nullptr) c = avcodec_find_decoder(AV_CODEC_ID_AV1);
      break;
  }
  if (c == nullptr) return absl::NotFoundError("no FFmpeg decoder for this codec");
  std::unique_ptr<VideoDecoder> d(new VideoDecoder());
  d->impl_ = std::make_unique<Impl>();
  Impl& im = *d->impl_;
  im.ctx = avcodec_alloc_context3(c);
  im.pkt = av_packet_alloc();
  im.frame = av_frame_alloc();
  if (!im.ctx || !im.pkt || !im.frame) return absl::ResourceExhaustedError("FFmpeg alloc");
  im.ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
  im.ctx->thread_type = FF_THREAD_SLICE;
  im.ctx->thread_count = 1;
  if (int r = avcodec_open2(im.ctx, c, nullptr); r < 0) {
    return absl::InternalError(absl::StrCat("avcodec_open2 ", c->name, ": ", r));
  }
  return d;
}

VideoDecoder::~VideoDecoder() = default;

absl::Status VideoDecoder::Decode(std::span<const uint8_t> au,
                                  const std::function<void(const Picture&)>& on_picture) {
  Impl& im = *impl_;
  im.padded.assign(au.begin(), au.end());
  im.padded.resize(au.size() + AV_INPUT_BUFFER_PADDING_SIZE, 0);
  im.pkt->data = im.padded.data();
  im.pkt->size = int(au.size());
  int r = avcodec_send_packet(im.ctx, im.pkt);
  av_packet_unref(im.pkt);
  if (r < 0 && r != AVERROR(EAGAIN)) {
    return absl::DataLossError(absl::StrCat("avcodec_send_packet: ", r));
  }
  for (;;) {
    r = avcodec_receive_frame(im.ctx, im.frame);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) break;
    if (r < 0) return absl::DataLossError(absl::StrCat("avcodec_receive_frame: ", r));
    Picture p;
    p.width = im.frame->width;
    p.height = im.frame->height;
    p.stride = im.frame->linesize[0];
    p.luma = std::span<const uint8_t>(im.frame->data[0],
                                      size_t(im.frame->linesize[0]) * size_t(p.height));
    p.keyframe = im.frame->key_frame != 0;
    for (int i = 0; i < 3; ++i) {
      p.planes[i] = im.frame->data[i];
      p.strides[i] = im.frame->linesize[i];
    }
    p.av_format = im.frame->format;
    p.color_range = int(im.frame->color_range);
    p.colorspace = int(im.frame->colorspace);
    on_picture(p);
    av_frame_unref(im.frame);
  }
  return absl::OkStatus();
}

}  // namespace lumen::client

// host/encode/test_decoder.cc — see test_decoder.h.
#include "host/encode/test_decoder.h"

#include <cstring>

#include "absl/strings/str_cat.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace lumen::encode {

struct TestDecoder::Impl {
  AVCodecContext* ctx = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* pkt = nullptr;
  ~Impl() {
    avcodec_free_context(&ctx);
    av_frame_free(&frame);
    av_packet_free(&pkt);
  }

  absl::Status Drain(const std::function<void(const DecodedPicture&)>& on_picture) {
    for (;;) {
      const int err = avcodec_receive_frame(ctx, frame);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return absl::OkStatus();
      if (err < 0) return absl::InternalError(absl::StrCat("receive_frame: ", err));
      DecodedPicture p;
      p.width = frame->width;
      p.height = frame->height;
      p.stride = frame->linesize[0];
      p.pts = frame->pts;
      p.luma = std::span<const uint8_t>(frame->data[0], size_t(p.stride) * p.height);
      on_picture(p);
      av_frame_unref(frame);
    }
  }
};

TestDecoder::~TestDecoder() = default;

absl::StatusOr<std::unique_ptr<TestDecoder>> TestDecoder::Create(host::Codec codec) {
  const AVCodec* dec = nullptr;
  switch (codec) {
    case host::Codec::kH264: dec = avcodec_find_decoder_by_name("h264"); break;
    case host::Codec::kHevc: dec = avcodec_find_decoder_by_name("hevc"); break;
    case host::Codec::kAv1:
      dec = avcodec_find_decoder_by_name("libdav1d");
      if (dec == nullptr) dec = avcodec_find_decoder_by_name("libaom-av1");
      break;
  }
  if (dec == nullptr) return absl::NotFoundError("no decoder");
  auto d = std::unique_ptr<TestDecoder>(new TestDecoder());
  d->impl_ = std::make_unique<Impl>();
  Impl& i = *d->impl_;
  i.ctx = avcodec_alloc_context3(dec);
  i.ctx->thread_count = 1;  // no frame threading: a picture per AU, in order
  i.ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
  const int err = avcodec_open2(i.ctx, dec, nullptr);
  if (err < 0) return absl::InternalError(absl::StrCat("decoder open: ", err));
  i.frame = av_frame_alloc();
  i.pkt = av_packet_alloc();
  return d;
}

absl::Status TestDecoder::Decode(std::span<const uint8_t> au, int64_t pts,
                                 const std::function<void(const DecodedPicture&)>& on_picture) {
  if (au.empty()) return absl::OkStatus();
  Impl& i = *impl_;
  int err = av_new_packet(i.pkt, int(au.size()));
  if (err < 0) return absl::ResourceExhaustedError("av_new_packet");
  std::memcpy(i.pkt->data, au.data(), au.size());
  i.pkt->pts = pts;
  err = avcodec_send_packet(i.ctx, i.pkt);
  av_packet_unref(i.pkt);
  if (err < 0) return absl::DataLossError(absl::StrCat("send_packet: ", err));
  return i.Drain(on_picture);
}

absl::Status TestDecoder::Flush(const std::function<void(const DecodedPicture&)>& on_picture) {
  avcodec_send_packet(impl_->ctx, nullptr);
  return impl_->Drain(on_picture);
}

}  // namespace lumen::encode

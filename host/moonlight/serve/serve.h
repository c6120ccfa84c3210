// `lumen serve`: runs the Moonlight host in the foreground — nvhttp (pairing, app list,
// launch; helper F1's server), RTSP, the ENet control stream, and per session the video
// and audio streams — until SIGINT/SIGTERM.
//
// Configuration: <config_dir>/moonlight.json (or --config=FILE; see host_config.h) for the
// host name, ports and apps; flags override:
//   --config=FILE          host config JSON (default: $LUMEN_CONFIG_DIR/moonlight.json)
//   --state-dir=DIR        identity + paired clients (default: $LUMEN_STATE_DIR or XDG)
//   --base-port=N          GameStream base port (47989); every other port follows §1.1
//   --bind=ADDR            IPv4 address to listen on (0.0.0.0)
//   --video=pattern        video source: the in-process test pattern (default)
//   --encoder=auto|software|nvenc   nvenc tries NVENC first, falls back to software
//   --codecs=h264,hevc[,av1]        offer at most these (the encoder probe still decides)
//   --audio=silence|tone   audio source (silence keeps clients happy without PipeWire)
//   --input=log|none       what happens to client input (log: decoded and logged)
//   --fec=PERCENT          video FEC percentage (20)
//   --no-rtsp-encryption   answer rtsp:// even to clients that can do rtspenc://
//   --pin=NNNN             accept this PIN for every pairing request (unattended setups and
//                          interop tests; otherwise enter it on the admin page / `lumen pin`)
// Exit status: 0 after a signal, 1 on a startup error (message on stderr).
#ifndef LUMEN_HOST_MOONLIGHT_SERVE_SERVE_H_
#define LUMEN_HOST_MOONLIGHT_SERVE_SERVE_H_

namespace lumen::moonlight::serve {

// argv[0] is the subcommand name ("serve"); flags follow.
int ServeMain(int argc, char** argv);

}  // namespace lumen::moonlight::serve

#endif  // LUMEN_HOST_MOONLIGHT_SERVE_SERVE_H_

// lumen: the host's command-line entry point. A small dispatch table of subcommands; each
// lives in its own library under host/lumen/ (or elsewhere) and is declared in commands.h.
#include <cstdio>
#include <cstring>

#include "host/lumen/commands.h"

namespace {

struct Command {
  const char* name;
  const char* help;
  int (*run)(int argc, char** argv);
};

// One row per subcommand.
constexpr Command kCommands[] = {
    {"demo", "synthetic capture -> encode -> transport -> reference client on 127.0.0.1",
     lumen::cli::DemoMain},
    {"serve", "run the Moonlight host in the foreground (pairing, RTSP, control, video, audio)",
     lumen::cli::ServeMain},
    {"pin", "enter the PIN a Moonlight client shows (lumen pin 1234; --list)", lumen::cli::PinMain},
    {"clients", "list paired Moonlight clients", lumen::cli::ClientsMain},
    {"unpair", "forget a paired Moonlight client (lumen unpair NAME)", lumen::cli::UnpairMain},
};

int Usage(FILE* out) {
  std::fprintf(out, "usage: lumen <command> [flags]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.help);
  std::fprintf(out, "\n`lumen <command> --help` for a command's flags.\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(stderr);
  if (!std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") ||
      !std::strcmp(argv[1], "-h")) {
    return Usage(stdout);
  }
  for (const Command& c : kCommands) {
    if (!std::strcmp(argv[1], c.name)) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "lumen: unknown command '%s'\n\n", argv[1]);
  return Usage(stderr);
}

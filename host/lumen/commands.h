// host/lumen/commands.h — entry points of the `lumen` subcommands. Each takes the
// arguments after the subcommand name (argv[0] is the subcommand) and returns the exit code.
// To add a subcommand: declare it here (one line) and add one row to kCommands in main.cc.
#pragma once

namespace lumen::cli {

int DemoMain(int argc, char** argv);  // lumen demo: synthetic end-to-end run on 127.0.0.1
int ServeMain(int argc, char** argv);  // lumen serve: the Moonlight host (host/moonlight/serve)
// lumen pin / clients / unpair: Moonlight pairing management (host/moonlight/http/cli.h).
int PinMain(int argc, char** argv);
int ClientsMain(int argc, char** argv);
int UnpairMain(int argc, char** argv);

}  // namespace lumen::cli

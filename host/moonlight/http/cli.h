// `lumen pin`, `lumen clients` and `lumen unpair`: host-side pairing management from a terminal.
//
// They talk to the running host through its loopback admin endpoint, found in
// <state_dir>/admin.json (port + access token, mode 0600, written by NvHttpServer::Start).
// `clients` and `unpair` also work with no host running: they then read and edit the state file
// directly (atomically). Directories come from state::StateDirs::FromEnvironment().
//
//   lumen pin 1234 [--name NAME] [--id N]   enter the PIN Moonlight shows (oldest request by
//                                           default)
//   lumen pin --list                         list pairing requests waiting for a PIN
//   lumen clients                            list paired clients
//   lumen unpair NAME|UUID                   forget a paired client
//
// Each takes the arguments after `lumen` (argv[0] is the subcommand name) and returns the exit
// status: 0 success, 1 failure (message on stderr), 2 usage error.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_CLI_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_CLI_H_

namespace lumen::cli {

int PinMain(int argc, char** argv);
int ClientsMain(int argc, char** argv);
int UnpairMain(int argc, char** argv);

}  // namespace lumen::cli

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_CLI_H_

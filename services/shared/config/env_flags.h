// Command-line flags mirrored by MAILROOM_* environment variables (DESIGN.md "Names").
//
// Every service defines its flags with ABSL_FLAG in its own config.cc and fills its one Config
// struct from them there; this file only adds the environment layer: flag `--store_address`
// can also be set as MAILROOM_STORE_ADDRESS. Precedence: command line > environment > default.
#ifndef MAILROOM_SERVICES_SHARED_CONFIG_ENV_FLAGS_H_
#define MAILROOM_SERVICES_SHARED_CONFIG_ENV_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace mailroom::config {

// The environment variable that mirrors flag `flag_name`: "MAILROOM_" + upper-case name.
std::string EnvName(std::string_view flag_name);

// Applies MAILROOM_* variables from `environ` to the matching registered flags, then parses
// argv (which wins). Exits the process with a usage message on a bad flag or bad value, as
// absl::ParseCommandLine does. Returns the positional arguments (argv[0] first).
std::vector<char*> ParseFlagsWithEnv(int argc, char** argv, std::string_view usage);

// The environment layer alone, for tests: sets each flag named in `env` (NAME=value strings)
// and returns the errors, one per bad value ("MAILROOM_X: reason").
std::vector<std::string> ApplyEnvironment(const std::vector<std::string>& env);

}  // namespace mailroom::config

#endif  // MAILROOM_SERVICES_SHARED_CONFIG_ENV_FLAGS_H_

// Test helper: creates a fresh self-signed certificate and key (EC P-256) in a new temporary
// directory, using OpenSSL's APIs (no openssl CLI), for TLS and STARTTLS tests.
#ifndef MAILROOM_SERVICES_SHARED_NET_TESTING_SELF_SIGNED_CERT_H_
#define MAILROOM_SERVICES_SHARED_NET_TESTING_SELF_SIGNED_CERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mailroom::net::testing {

struct PemFiles {
  std::string dir;        // the temporary directory holding both files
  std::string cert_path;  // cert.pem
  std::string key_path;   // key.pem (mode 0600)
};

// Writes cert.pem and key.pem for `common_name` (also in subjectAltName, with IP 127.0.0.1),
// valid from an hour ago for 30 days, into a new directory under $TMPDIR (or /tmp).
// Errors: kInternal when key generation, signing or writing fails.
absl::StatusOr<PemFiles> WriteSelfSignedCert(absl::string_view common_name = "localhost");

// Deletes the files and their directory; missing files are ignored.
void RemovePemFiles(const PemFiles& files);

}  // namespace mailroom::net::testing

#endif  // MAILROOM_SERVICES_SHARED_NET_TESTING_SELF_SIGNED_CERT_H_

// TlsContext: the server-side TLS configuration (certificate chain, private key, protocol
// versions and ciphers) shared by every connection of a service. Built once at startup from the
// PEM files named in the service's Config; TcpStream uses it for implicit TLS and STARTTLS.
#ifndef MAILROOM_SERVICES_SHARED_NET_TLS_CONTEXT_H_
#define MAILROOM_SERVICES_SHARED_NET_TLS_CONTEXT_H_

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace mailroom::net {

class TlsContext {
 public:
  // Loads a PEM certificate chain (leaf first) and its PEM private key, and configures TLS 1.2
  // as the minimum version (RFC 8996 retires 1.0/1.1; RFC 8314 §4.1), forward-secret AEAD
  // ciphers for TLS 1.2, no compression and no renegotiation.
  // Errors: kInvalidArgument when a file cannot be read or parsed, or the key does not match
  // the certificate; kInternal when OpenSSL refuses the protocol settings.
  static absl::StatusOr<std::shared_ptr<TlsContext>> FromPemFiles(
      const std::string& cert_chain_path, const std::string& key_path);

  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // The asio context, for building ssl::stream objects.
  asio::ssl::context& native() { return context_; }

 private:
  TlsContext();

  asio::ssl::context context_;
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_TLS_CONTEXT_H_

#include "services/shared/net/server.h"

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/shared/metrics/registry.h"
#include "services/shared/net/connection_limiter.h"
#include "services/shared/net/proxy_protocol.h"
#include "services/shared/net/tcp_stream.h"

namespace mailroom::net {
namespace {

using asio::ip::tcp;

// Per-listener metric children, looked up once.
struct ListenerMetrics {
  metrics::Counter* accepted = nullptr;
  metrics::Counter* refused[3] = {nullptr, nullptr, nullptr};
  metrics::Counter* tls_failures = nullptr;
  metrics::Counter* proxy_failures = nullptr;
  metrics::Gauge* active = nullptr;
};

// Reads a PROXY protocol header from the start of `stream`, octet-exactly (whatever follows
// stays unread), within `timeout` in total, and makes its source the stream's peer.
// Errors: as ParseProxyHeader (kInvalidArgument, kResourceExhausted), as Stream::ReadSome,
// kDeadlineExceeded when the header is not complete in time.
asio::awaitable<absl::Status> ReadProxyHeader(TcpStream& stream, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string octets;
  // Each round reads at least one octet of a header that is at most a few KiB long.
  for (;;) {
    absl::StatusOr<ProxyParse> parse = ParseProxyHeader(octets);
    if (!parse.ok()) co_return parse.status();
    if (parse->header.has_value()) {
      const ProxyHeader& header = *parse->header;
      if (header.has_addresses) {
        PeerInfo peer = stream.peer();
        peer.address = header.source_address;
        peer.port = header.source_port;
        peer.local_address = header.destination_address;
        peer.local_port = header.destination_port;
        std::error_code ec;
        asio::ip::address address = asio::ip::make_address(header.source_address, ec);
        peer.loopback = !ec && address.is_loopback();
        stream.SetPeer(std::move(peer));
      }
      co_return absl::OkStatus();
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      co_return absl::DeadlineExceededError("PROXY protocol header timed out");
    }
    const size_t have = octets.size();
    octets.resize(have + parse->need_more);
    absl::StatusOr<size_t> n = co_await stream.ReadSome(absl::MakeSpan(octets).subspan(have), left);
    if (!n.ok()) co_return n.status();
    octets.resize(have + *n);
  }
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerConfig config, std::shared_ptr<TlsContext> tls, Handler handler, RefuseHandler refuse,
       metrics::Registry* metrics)
      : config_(std::move(config)),
        tls_(std::move(tls)),
        handler_(std::move(handler)),
        refuse_(std::move(refuse)),
        metrics_(metrics),
        io_(std::max(1, config_.threads)),
        limiter_(config_.max_connections, config_.max_connections_per_ip),
        session_ids_(std::random_device{}()) {}

  ~Impl() { Drain(); }

  absl::Status Start();
  uint16_t BoundPort(absl::string_view name) const;
  void Drain();
  absl::Status Run();
  void RequestDrain();
  size_t ActiveConnections() const {
    absl::MutexLock lock(&mu_);
    return live_.size();
  }
  bool Draining() const {
    absl::MutexLock lock(&mu_);
    return drain_requested_ || draining_;
  }
  asio::io_context& io() { return io_; }

 private:
  struct Listener {
    Listener(ListenerConfig c, asio::io_context& io)
        : config(std::move(c)), acceptor(asio::make_strand(io)) {}
    ListenerConfig config;
    tcp::acceptor acceptor;
    uint16_t port = 0;
    ListenerMetrics metrics;
  };
  struct Live {
    std::shared_ptr<Connection> connection;
    asio::any_io_executor executor;
  };

  absl::Status Bind(Listener& listener);
  void RegisterMetrics(Listener& listener);
  asio::awaitable<void> AcceptLoop(Listener* listener);
  void OnAccepted(Listener* listener, tcp::socket socket);
  asio::awaitable<void> AcceptProxied(Listener* listener, std::unique_ptr<TcpStream> stream,
                                      asio::any_io_executor executor);
  void Admit(Listener* listener, std::unique_ptr<TcpStream> stream,
             asio::any_io_executor executor);
  asio::awaitable<void> Serve(std::shared_ptr<Connection> connection, Listener* listener,
                              uint64_t id);
  asio::awaitable<void> Refuse(std::shared_ptr<Connection> connection, Listener* listener,
                               Refusal refusal);
  // Posts `action` to every live connection's executor.
  void ForEachLive(void (*action)(Connection&)) ABSL_LOCKS_EXCLUDED(mu_);
  bool NoLiveConnections() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return live_.empty(); }
  std::string NewSessionId() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ServerConfig config_;
  const std::shared_ptr<TlsContext> tls_;
  const Handler handler_;
  const RefuseHandler refuse_;
  metrics::Registry* const metrics_;
  asio::io_context io_;
  ConnectionLimiter limiter_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::optional<asio::signal_set> signals_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool drained_ ABSL_GUARDED_BY(mu_) = false;
  bool drain_requested_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::mt19937_64 session_ids_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, Live> live_ ABSL_GUARDED_BY(mu_);
};

absl::Status Server::Impl::Bind(Listener& listener) {
  const ListenerConfig& c = listener.config;
  if (c.implicit_tls && tls_ == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("listener ", c.name, ": implicit TLS needs a TLS context"));
  }
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(c.address, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat("listener ", c.name, ": bad address ", c.address));
  tcp::endpoint endpoint(address, c.port);
  tcp::acceptor& acceptor = listener.acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("listener ", c.name, " on ", c.address, ":", c.port, ": ", ec.message()));
  }
  listener.port = acceptor.local_endpoint().port();
  return absl::OkStatus();
}

void Server::Impl::RegisterMetrics(Listener& listener) {
  if (metrics_ == nullptr) return;
  const std::string& name = listener.config.name;
  ListenerMetrics& m = listener.metrics;
  m.accepted = &metrics_
                    ->AddCounter("mailroom_net_connections_accepted_total",
                                 "Connections admitted to a protocol handler.", {"listener"})
                    .WithLabels({name});
  auto& refused = metrics_->AddCounter("mailroom_net_connections_refused_total",
                                       "Connections refused by a limit or during drain.",
                                       {"listener", "reason"});
  for (Refusal r :
       {Refusal::kTooManyConnections, Refusal::kTooManyFromAddress, Refusal::kShuttingDown}) {
    m.refused[static_cast<int>(r)] = &refused.WithLabels({name, RefusalName(r)});
  }
  m.tls_failures =
      &metrics_
           ->AddCounter("mailroom_net_tls_handshake_failures_total",
                        "Implicit-TLS handshakes that failed or timed out.", {"listener"})
           .WithLabels({name});
  if (listener.config.proxy_protocol) {
    m.proxy_failures = &metrics_
                            ->AddCounter("mailroom_net_proxy_header_failures_total",
                                         "Connections closed for a missing or invalid PROXY "
                                         "protocol header.",
                                         {"listener"})
                            .WithLabels({name});
  }
  m.active =
      &metrics_
           ->AddGauge("mailroom_net_connections_active", "Connections being served.", {"listener"})
           .WithLabels({name});
}

absl::Status Server::Impl::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (started_) return absl::FailedPreconditionError("server already started");
  }
  if (config_.listeners.empty()) return absl::InvalidArgumentError("no listeners configured");
  std::vector<std::unique_ptr<Listener>> listeners;
  for (const ListenerConfig& c : config_.listeners) {
    auto listener = std::make_unique<Listener>(c, io_);
    absl::Status bound = Bind(*listener);
    if (!bound.ok()) return bound;  // already bound acceptors close on return
    RegisterMetrics(*listener);
    listeners.push_back(std::move(listener));
  }
  listeners_ = std::move(listeners);
  for (auto& listener : listeners_) {
    asio::co_spawn(listener->acceptor.get_executor(), AcceptLoop(listener.get()),
                   [](std::exception_ptr) {});
  }
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
  }
  work_.emplace(io_.get_executor());
  for (int i = 0; i < std::max(1, config_.threads); ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
  return absl::OkStatus();
}

uint16_t Server::Impl::BoundPort(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  if (!started_) return 0;
  for (const auto& listener : listeners_) {
    if (listener->config.name == name) return listener->port;
  }
  return 0;
}

asio::awaitable<void> Server::Impl::AcceptLoop(Listener* listener) {
  asio::steady_timer backoff(listener->acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await listener->acceptor.async_accept(
        asio::make_strand(io_), asio::experimental::as_tuple(asio::use_awaitable));
    if (!listener->acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or memory: pause instead of spinning; other errors are per-peer.
      if (ec == asio::error::no_descriptors || ec == asio::error::no_memory ||
          ec == asio::error::no_buffer_space) {
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
      }
      continue;
    }
    OnAccepted(listener, std::move(socket));
  }
}

std::string Server::Impl::NewSessionId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  uint64_t bits = session_ids_();
  std::string id(12, ' ');
  for (char& c : id) {
    c = kAlphabet[bits & 31];
    bits >>= 5;
  }
  return id;
}

void Server::Impl::OnAccepted(Listener* listener, tcp::socket socket) {
  asio::any_io_executor executor = socket.get_executor();
  auto stream = std::make_unique<TcpStream>(std::move(socket), tls_);
  if (listener->config.proxy_protocol) {
    // Admission waits for the header: the limits count the client it names.
    asio::co_spawn(executor, AcceptProxied(listener, std::move(stream), executor),
                   [](std::exception_ptr) {});
    return;
  }
  Admit(listener, std::move(stream), std::move(executor));
}

asio::awaitable<void> Server::Impl::AcceptProxied(Listener* listener,
                                                  std::unique_ptr<TcpStream> stream,
                                                  asio::any_io_executor executor) {
  absl::Status header = co_await ReadProxyHeader(*stream, config_.limits.proxy_header_timeout);
  if (!header.ok()) {
    if (listener->metrics.proxy_failures != nullptr) listener->metrics.proxy_failures->Increment();
    co_await stream->Shutdown(config_.limits.tls_shutdown_timeout);
    co_return;
  }
  Admit(listener, std::move(stream), std::move(executor));
}

void Server::Impl::Admit(Listener* listener, std::unique_ptr<TcpStream> stream,
                         asio::any_io_executor executor) {
  std::optional<Refusal> refusal;
  uint64_t id = 0;
  std::shared_ptr<Connection> connection;
  {
    absl::MutexLock lock(&mu_);
    connection = std::make_shared<Connection>(std::move(stream), config_.limits, NewSessionId(),
                                              listener->config.name);
    refusal = draining_ ? Refusal::kShuttingDown : limiter_.TryAdmit(connection->peer().address);
    if (!refusal.has_value()) {
      id = next_id_++;
      live_.emplace(id, Live{connection, executor});
    }
  }
  if (refusal.has_value()) {
    if (listener->metrics.refused[static_cast<int>(*refusal)] != nullptr) {
      listener->metrics.refused[static_cast<int>(*refusal)]->Increment();
    }
    asio::co_spawn(executor, Refuse(std::move(connection), listener, *refusal),
                   [](std::exception_ptr) {});
    return;
  }
  if (listener->metrics.accepted != nullptr) {
    listener->metrics.accepted->Increment();
    listener->metrics.active->Increment();
  }
  asio::co_spawn(executor, Serve(std::move(connection), listener, id), [](std::exception_ptr) {});
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Connection> connection,
                                          Listener* listener, uint64_t id) {
  const Limits& limits = config_.limits;
  bool ready = true;
  if (listener->config.implicit_tls) {
    absl::Status handshake = co_await connection->stream().StartTls(limits.tls_handshake_timeout);
    if (!handshake.ok()) {
      ready = false;
      if (listener->metrics.tls_failures != nullptr) listener->metrics.tls_failures->Increment();
    }
  }
  if (ready && handler_) {
    try {
      co_await handler_(*connection);
    } catch (const std::exception&) {
      // A handler bug must not take the server down; the connection just ends.
    }
  }
  co_await connection->stream().Shutdown(limits.tls_shutdown_timeout);
  if (listener->metrics.active != nullptr) listener->metrics.active->Decrement();
  absl::MutexLock lock(&mu_);
  limiter_.Release(connection->peer().address);
  live_.erase(id);
}

asio::awaitable<void> Server::Impl::Refuse(std::shared_ptr<Connection> connection,
                                           Listener* listener, Refusal refusal) {
  if (refuse_ && !listener->config.implicit_tls) {
    try {
      co_await refuse_(*connection, refusal);
    } catch (const std::exception&) {
      // Closing anyway.
    }
  }
  co_await connection->stream().Shutdown(config_.limits.tls_shutdown_timeout);
}

void Server::Impl::ForEachLive(void (*action)(Connection&)) {
  std::vector<Live> snapshot;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, live] : live_) snapshot.push_back(live);
  }
  for (Live& live : snapshot) {
    asio::post(live.executor,
               [connection = std::move(live.connection), action] { action(*connection); });
  }
}

void Server::Impl::Drain() {
  {
    absl::MutexLock lock(&mu_);
    if (!started_ || drained_) return;
    drained_ = true;
    draining_ = true;
  }
  for (auto& listener : listeners_) {
    asio::post(listener->acceptor.get_executor(), [l = listener.get()] {
      std::error_code ignored;
      l->acceptor.close(ignored);
    });
  }
  ForEachLive([](Connection& c) { c.BeginDrain(); });
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &Impl::NoLiveConnections), config_.drain_grace);
  }
  ForEachLive([](Connection& c) { c.ForceClose(); });
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &Impl::NoLiveConnections), config_.drain_close_wait);
  }
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

absl::Status Server::Impl::Run() {
  // Registered before the threads start, so a signal from now on drains instead of killing.
  signals_.emplace(io_, SIGINT, SIGTERM);
  absl::Status started = Start();
  if (!started.ok()) return started;
  signals_->async_wait([this](const std::error_code& ec, int) {
    if (!ec) RequestDrain();
  });
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&drain_requested_));
  }
  Drain();
  return absl::OkStatus();
}

void Server::Impl::RequestDrain() {
  absl::MutexLock lock(&mu_);
  drain_requested_ = true;
}

Server::Server(ServerConfig config, std::shared_ptr<TlsContext> tls, Handler handler,
               RefuseHandler refuse, metrics::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(tls), std::move(handler),
                                   std::move(refuse), metrics)) {}

Server::~Server() = default;

absl::Status Server::Start() { return impl_->Start(); }

uint16_t Server::BoundPort(absl::string_view listener_name) const {
  return impl_->BoundPort(listener_name);
}

void Server::Drain() { impl_->Drain(); }

absl::Status Server::Run() { return impl_->Run(); }

void Server::RequestDrain() { impl_->RequestDrain(); }

size_t Server::ActiveConnections() const { return impl_->ActiveConnections(); }

bool Server::Draining() const { return impl_->Draining(); }

asio::io_context& Server::io_context() { return impl_->io(); }

}  // namespace mailroom::net

// Throughput of services/mime: Parse() and BodyText() on a small text mail, a 100 KB and a
// 5 MB multipart message with a base64 attachment. Reports bytes/s of raw message.
#include <string>

#include "benchmark/benchmark.h"
#include "services/mime/message.h"
#include "services/mime/text.h"

namespace {

constexpr char kHeaders[] =
    "Return-Path: <alice@example.com>\r\n"
    "Received: from mx.example.com (mx.example.com [192.0.2.1])\r\n"
    "\tby mail.example.org with ESMTPS id 4A2B3C4D5E\r\n"
    "\tfor <bob@example.org>; Tue, 1 Aug 2023 12:00:00 +0000\r\n"
    "From: \"Alice Example\" <alice@example.com>\r\n"
    "To: Bob <bob@example.org>, carol@example.net\r\n"
    "Cc: =?utf-8?q?Jos=C3=A9?= <jose@example.es>\r\n"
    "Subject: =?UTF-8?B?w4d0w6kgZW5jb2TDqQ==?= quarterly numbers\r\n"
    "Date: Tue, 1 Aug 2023 12:00:00 +0000\r\n"
    "Message-ID: <bench.1234@example.com>\r\n"
    "MIME-Version: 1.0\r\n";

std::string TextLines(size_t bytes) {
  std::string out;
  const std::string line = "The quick brown fox jumps over the lazy dog, again and again.\r\n";
  while (out.size() < bytes) out += line;
  return out;
}

std::string Base64Lines(size_t bytes) {
  std::string out;
  const std::string line = "JVBERi0xLjQKJWZha2UgcGRmIGZvciB0ZXN0cwoxIDAgb2JqCjw8ID4+CmVuZG9i\r\n";
  while (out.size() < bytes) out += line;
  return out;
}

std::string SmallText() {
  return std::string(kHeaders) + "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
         TextLines(1500);
}

// multipart/mixed > (multipart/alternative > text + html), base64 attachment of `size`.
std::string Multipart(size_t attachment_bytes) {
  return std::string(kHeaders) +
         "Content-Type: multipart/mixed; boundary=\"----=_Part_1\"\r\n\r\n"
         "------=_Part_1\r\nContent-Type: multipart/alternative; boundary=alt\r\n\r\n"
         "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
         TextLines(4000) +
         "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>" +
         TextLines(4000) +
         "</p></body></html>\r\n--alt--\r\n"
         "------=_Part_1\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20report.pdf\r\n\r\n" +
         Base64Lines(attachment_bytes) + "------=_Part_1--\r\n";
}

void RunParse(benchmark::State& state, const std::string& raw) {
  for (auto _ : state) {
    mailroom::mime::Message msg = mailroom::mime::Parse(raw);
    benchmark::DoNotOptimize(msg);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}

void RunBodyText(benchmark::State& state, const std::string& raw) {
  mailroom::mime::Message msg = mailroom::mime::Parse(raw);
  for (auto _ : state) {
    std::string text = mailroom::mime::BodyText(msg, raw);
    benchmark::DoNotOptimize(text);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}

void BM_ParseSmallText(benchmark::State& state) { RunParse(state, SmallText()); }
void BM_ParseMultipart100K(benchmark::State& state) { RunParse(state, Multipart(90 << 10)); }
void BM_ParseMultipart5M(benchmark::State& state) { RunParse(state, Multipart(5 << 20)); }
void BM_BodyTextSmallText(benchmark::State& state) { RunBodyText(state, SmallText()); }
void BM_BodyTextMultipart100K(benchmark::State& state) { RunBodyText(state, Multipart(90 << 10)); }
void BM_BodyTextMultipart5M(benchmark::State& state) { RunBodyText(state, Multipart(5 << 20)); }

BENCHMARK(BM_ParseSmallText);
BENCHMARK(BM_ParseMultipart100K);
BENCHMARK(BM_ParseMultipart5M);
BENCHMARK(BM_BodyTextSmallText);
BENCHMARK(BM_BodyTextMultipart100K);
BENCHMARK(BM_BodyTextMultipart5M);

}  // namespace

BENCHMARK_MAIN();

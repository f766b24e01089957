#include "nets/stop_signal.h"

namespace gg::nets {

namespace {

volatile std::sig_atomic_t g_received = 0;

extern "C" void on_stop_signal(int signal) { g_received = signal; }

// A signal ignored when we start stays ignored: a shell starts background jobs with SIGINT
// ignored, so that Ctrl-C meant for the foreground does not reach them.
struct sigaction install(int signal) {
  struct sigaction action {}, previous {};
  sigaction(signal, nullptr, &previous);
  if (previous.sa_handler == SIG_IGN) return previous;
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;  // one-shot; system calls in flight carry on
  sigaction(signal, &action, nullptr);
  return previous;
}

}  // namespace

StopOnSignal::StopOnSignal() {
  g_received = 0;
  previous_int_ = install(SIGINT);
  previous_term_ = install(SIGTERM);
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

int StopOnSignal::received() const { return g_received; }

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

}  // namespace gg::nets

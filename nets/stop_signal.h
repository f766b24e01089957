#pragma once
// Ctrl-C (SIGINT) and SIGTERM during a long run. While a StopOnSignal lives, the first such signal
// only asks the run to stop: the training loop finishes the round it is in, writes its checkpoint
// and throws Interrupted, so nothing is lost and `--resume` goes on from there. The handler is
// one-shot: a second signal ends the process at once, as it would have without us. A signal the
// process was started with ignored (SIGINT for a shell's background job) stays ignored.
#include <csignal>
#include <stdexcept>
#include <string>

namespace gg::nets {

class StopOnSignal {
 public:
  StopOnSignal();   // installs the handlers and forgets any earlier signal
  ~StopOnSignal();  // puts the previous handlers back
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  int received() const;  // the signal that asked to stop, 0 while none has

 private:
  struct sigaction previous_int_{}, previous_term_{};
};

// A run stopped by a signal; main() exits with 128 + signal, as the shell expects.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& what) : std::runtime_error(what), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

const char* signal_name(int signal);  // "SIGINT", "SIGTERM" or "a signal"

}  // namespace gg::nets

#pragma once
// Each `glitchgan` subcommand lives in tools/cmd_<name>.cpp and registers itself here.
#include <CLI/CLI.hpp>

namespace gg::tools {

void add_demo_command(CLI::App& app);
void add_bench_compare_command(CLI::App& app);
void add_data_info_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_synth_check_command(CLI::App& app);
void add_train_gan_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_eval_gan_command(CLI::App& app);
void add_augment_command(CLI::App& app);
void add_experiment_command(CLI::App& app);
void add_train_classifier_command(CLI::App& app);
void add_eval_classifier_command(CLI::App& app);
void add_anomalies_command(CLI::App& app);
void add_robustness_command(CLI::App& app);

}  // namespace gg::tools

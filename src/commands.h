/*
 * commands.h - the subcommands that use a saved model:
 *   gmmfit predict --model FILE [OPTIONS] DATA.csv
 *   gmmfit sample --model FILE -n N [--seed S] [-o FILE]
 * Each takes argc/argv starting at its own name and returns an exit status.
 */
#ifndef GMMFIT_COMMANDS_H
#define GMMFIT_COMMANDS_H

int cmd_predict(int argc, char **argv);
int cmd_sample(int argc, char **argv);

#endif

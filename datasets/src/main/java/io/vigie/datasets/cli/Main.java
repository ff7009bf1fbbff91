package io.vigie.datasets.cli;

import io.vigie.learner.LearnerException;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of the command-line tools: {@code eval} and {@code replay}. Errors a user can fix are one
 * line on stderr and a non-zero exit status (1 for bad data or models, 2 for bad usage); only
 * Vigie's own bugs print a stack trace.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command as the launcher would, printing to the given streams; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            out.println(EvalCommand.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help")) {
            out.print(command.equals("replay") ? ReplayCommand.USAGE : EvalCommand.USAGE);
            return 0;
        }
        try {
            return switch (command) {
                case "eval" -> new EvalCommand(out, err).run(rest);
                case "replay" -> new ReplayCommand(out, err).run(rest);
                default -> throw new Args.UsageException("unknown command '" + command + "'");
            };
        } catch (Args.UsageException e) {
            err.println("vigie " + command + ": " + e.getMessage());
            err.println("usage: " + (command.equals("replay") ? ReplayCommand.USAGE : EvalCommand.USAGE).lines().findFirst().orElse(""));
            return 2;
        } catch (LearnerException | IllegalArgumentException e) {
            err.println("vigie " + command + ": " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            err.println("vigie " + command + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("vigie " + command + ": interrupted");
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("vigie " + command + ": out of memory; raise the heap with JAVA_OPTS=-Xmx8g");
            return 1;
        }
    }
}

package io.vigie.bench;

import io.vigie.datasets.cli.Main;
import moa.evaluation.BasicClassificationPerformanceEvaluator;
import moa.options.ClassOption;
import moa.tasks.MainTask;
import moa.tasks.Task;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The whole {@code vigie eval} path (read, convert, predict, learn, score, with the two baselines)
 * against MOA's own {@code EvaluatePrequential} on the same learner and the same plain ARFF file,
 * alternating the two in one JVM so both see the same machine. Prints a Markdown table of median
 * events/s and the ratio Vigie / MOA.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.vigie.bench.EvalThroughput [rounds] [preset...]</pre>
 */
public final class EvalThroughput {
    private EvalThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> presets = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of("ht", "hat", "arf");
        Path arff = Files.createTempFile("elec2", ".arff");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(BenchData.datasets().resolve("elec2.arff.gz")))) {
            Files.copy(in, arff, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        int events = 45_312;
        System.out.println("| learner | MOA EvaluatePrequential (events/s) | vigie eval (events/s) | ratio |");
        System.out.println("|---|---:|---:|---:|");
        for (String preset : presets) {
            String cli = io.vigie.learner.ModelSpec.of(preset).moaCli();
            runMoa(cli, arff); // warm-up, both paths
            runVigie(preset, arff);
            List<Double> moa = new ArrayList<>();
            List<Double> vigie = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    moa.add(events / runMoa(cli, arff));
                    vigie.add(events / runVigie(preset, arff));
                } else {
                    vigie.add(events / runVigie(preset, arff));
                    moa.add(events / runMoa(cli, arff));
                }
            }
            double m = median(moa);
            double v = median(vigie);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f |%n", preset, m, v, v / m);
        }
        Files.delete(arff);
    }

    private static double runMoa(String cli, Path arff) throws Exception {
        MainTask task = (MainTask) ClassOption.cliStringToObject("EvaluatePrequential -l (" + cli + ") -s (ArffFileStream -f "
                + arff + ") -e BasicClassificationPerformanceEvaluator -i -1", Task.class, null);
        ((ClassOption) task.getOptions().getOption('e')).setCurrentObject(new BasicClassificationPerformanceEvaluator());
        long start = System.nanoTime();
        task.prepareForUse();
        task.doTask();
        return (System.nanoTime() - start) / 1e9;
    }

    private static double runVigie(String preset, Path arff) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int status = Main.run(new String[]{"eval", "--data", arff.toString(), "--model", preset, "--json"},
                new PrintStream(out), System.err);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status != 0) {
            throw new IllegalStateException("vigie eval failed: " + status);
        }
        return seconds;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

}

package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import io.vigie.learner.EventStream;
import io.vigie.learner.Learners;
import io.vigie.learner.ModelSpec;
import moa.evaluation.BasicClassificationPerformanceEvaluator;
import moa.options.ClassOption;
import moa.tasks.MainTask;
import moa.tasks.Task;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * MOA's own prequential tasks, run on the events Vigie reads: {@code EvaluatePrequential} at delay
 * 0, {@code EvaluatePrequentialDelayed -k K -p 0} otherwise, with MOA's basic evaluator, so a
 * Vigie number can stand next to the one MOA computes itself (the parity tests, the published results).
 */
public final class MoaReference {
    private MoaReference() {
    }

    /** What MOA's task measured. */
    public record Result(long events, long correct, double kappa, double kappaTemporal) {
    }

    /**
     * The MOA stream option for a Vigie source: a generator as MOA's own CLI, a file written out
     * as a plain ARFF file in the schema Vigie reads it with (nominal values in Vigie's order), so
     * both see the same events.
     */
    public static String streamOf(String source, long limit) {
        if (source.startsWith(Streams.GENERATOR)) {
            return "(" + source.substring(Streams.GENERATOR.length()) + ")";
        }
        try (EventStream stream = Streams.open(source, null, null, Set.of(), limit)) {
            Path arff = Files.createTempFile("vigie-moa", ".arff");
            arff.toFile().deleteOnExit();
            InstancesHeader header = stream.schema().header();
            try (BufferedWriter out = Files.newBufferedWriter(arff)) {
                out.write("@relation " + quote(stream.name()) + "\n");
                for (int i = 0; i < header.numAttributes(); i++) {
                    Attribute a = header.attribute(i);
                    out.write("@attribute " + quote(a.name()) + " ");
                    if (a.isNominal()) {
                        StringBuilder values = new StringBuilder("{");
                        for (int v = 0; v < a.numValues(); v++) {
                            values.append(v == 0 ? "" : ",").append(quote(a.value(v)));
                        }
                        out.write(values.append("}\n").toString());
                    } else {
                        out.write("numeric\n");
                    }
                }
                out.write("@data\n");
                while (stream.hasNext()) {
                    Instance instance = stream.next().instance();
                    StringBuilder row = new StringBuilder();
                    for (int i = 0; i < header.numAttributes(); i++) {
                        double v = instance.value(i);
                        row.append(i == 0 ? "" : ",").append(instance.isMissing(i) ? "?"
                                : header.attribute(i).isNominal() ? quote(header.attribute(i).value((int) v)) : Double.toString(v));
                    }
                    out.write(row.append('\n').toString());
                }
            }
            return "(ArffFileStream -f " + arff + " -c " + (stream.schema().classAttribute() + 1) + ")";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs MOA's task for a learner on a MOA stream option (as {@link #streamOf} gives), with label
     * delay {@code delay} (events), over {@code limit} events (-1: all).
     */
    public static Result run(ModelSpec spec, String stream, int delay, long limit) throws Exception {
        String learner = "(" + Learners.canonicalCli(spec) + ")";
        String task = delay == 0
                ? "EvaluatePrequential -l " + learner + " -s " + stream
                : "EvaluatePrequentialDelayed -k " + delay + " -p 0 -l " + learner + " -s " + stream;
        MainTask moaTask = (MainTask) ClassOption.cliStringToObject(task + " -i " + limit, Task.class, null);
        BasicClassificationPerformanceEvaluator evaluator = new BasicClassificationPerformanceEvaluator();
        ((ClassOption) moaTask.getOptions().getOption('e')).setCurrentObject(evaluator);
        moaTask.prepareForUse();
        moaTask.doTask();
        long events = Math.round(evaluator.getTotalWeightObserved());
        return new Result(events, Math.round(evaluator.getFractionCorrectlyClassified() * events), evaluator.getKappaStatistic(),
                evaluator.getKappaTemporalStatistic());
    }

    /** An ARFF name or nominal value, quoted when it holds a character ARFF gives a meaning to. */
    private static String quote(String text) {
        return text.matches("[A-Za-z0-9_.+-]+") ? text : "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}

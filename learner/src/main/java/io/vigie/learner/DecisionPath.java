package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.InstancesHeader;
import moa.classifiers.Classifier;
import moa.classifiers.trees.HoeffdingTree;

import java.util.ArrayList;
import java.util.List;

/** The split conditions an instance meets from a Hoeffding tree's root to its leaf. */
final class DecisionPath {
    private DecisionPath() {
    }

    /** The conditions, root first; empty if the classifier is not a Hoeffding tree (or has not split yet). */
    static List<String> of(Classifier classifier, Instance instance, InstancesHeader header) {
        List<String> path = new ArrayList<>();
        if (!(classifier instanceof HoeffdingTree tree)) {
            return path;
        }
        HoeffdingTree.Node node = tree.getTreeRoot();
        while (node instanceof HoeffdingTree.SplitNode split) {
            int branch = split.instanceChildIndex(instance);
            if (branch < 0) {
                path.add(plain(split.getSplitTest().describeConditionForBranch(0, header)).replaceFirst(" .*", "") + " is missing");
                break;
            }
            path.add(plain(split.getSplitTest().describeConditionForBranch(branch, header)));
            node = split.getChild(branch);
        }
        return path;
    }

    /** MOA words a condition "[att 2:hour] <= 6.27" or "[att 3:channel] = [val web]": keeps the names. */
    private static String plain(String condition) {
        return condition.replaceAll("\\[att \\d+:([^\\]]*)\\]", "$1").replaceAll("\\[val ([^\\]]*)\\]", "$1").trim();
    }
}

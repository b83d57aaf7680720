// A minimal OpenRosa client on JavaRosa, the form engine inside ODK Collect:
// it loads an XForm, answers its questions as an enumerator would, and writes
// the instance XML Collect would submit. Compiled and run by
// tests/app/test_openrosa_javarosa.py against the ODK Validate jar that
// pyxform ships (which bundles JavaRosa).
//
// Usage: FillForm FORM.xml OUT.xml name=value ...
// A select_multiple value is its choice names separated by spaces. A question
// in a repeat's row is named with the row, from 1: members[2]/age=40. A repeat
// with a count gets its rows from JavaRosa; one without gets a new row, as an
// enumerator adds it, when some name=value is for that row. Exit code 3 and a
// line "refused NAME STATUS" when JavaRosa refuses an answer.

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.javarosa.core.model.Constants;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.data.DecimalData;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.IntegerData;
import org.javarosa.core.model.data.SelectMultiData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.StringData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.form.api.FormEntryCaption;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.xform.util.XFormUtils;

public class FillForm {
    public static void main(String[] args) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] pair = args[i].split("=", 2);
            values.put(pair[0], pair[1]);
        }
        FormDef form = XFormUtils.getFormFromInputStream(new FileInputStream(args[0]));
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryController controller = new FormEntryController(new FormEntryModel(form));
        int event;
        while ((event = controller.stepToNextEvent()) != FormEntryController.EVENT_END_OF_FORM) {
            if (event == FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
                FormEntryCaption repeat = controller.getModel().getCaptionPrompt();
                String row = repeatName(repeat) + "[" + (repeat.getMultiplicity() + 1) + "]/";
                if (values.keySet().stream().anyMatch(key -> key.startsWith(row))) {
                    controller.newRepeat();
                }
                continue;
            }
            if (event != FormEntryController.EVENT_QUESTION) {
                continue;
            }
            FormEntryPrompt prompt = controller.getModel().getQuestionPrompt();
            String name = name(controller.getModel().getCaptionHierarchy(), prompt);
            String value = values.get(name);
            if (value == null) {
                continue;
            }
            int status = controller.answerQuestion(answer(prompt, value), true);
            if (status != FormEntryController.ANSWER_OK) {
                System.out.println("refused " + name + " " + status);
                System.exit(3);
            }
        }
        form.postProcessInstance();
        byte[] instance = new XFormSerializingVisitor().serializeInstance(form.getInstance());
        Files.write(Paths.get(args[1]), instance);
    }

    // "age", or "members[2]/age" in row 2 of the innermost repeat around it.
    private static String name(FormEntryCaption[] hierarchy, FormEntryPrompt prompt) {
        String name = prompt.getIndex().getReference().getNameLast();
        for (int i = hierarchy.length - 1; i >= 0; i--) {
            if (hierarchy[i].repeats()) {
                FormEntryCaption row = hierarchy[i];
                return repeatName(row) + "[" + (row.getMultiplicity() + 1) + "]/" + name;
            }
        }
        return name;
    }

    private static String repeatName(FormEntryCaption repeat) {
        return repeat.getIndex().getReference().getNameLast();
    }

    private static IAnswerData answer(FormEntryPrompt prompt, String value) {
        switch (prompt.getControlType()) {
            case Constants.CONTROL_SELECT_ONE:
                return new SelectOneData(choice(prompt, value).selection());
            case Constants.CONTROL_SELECT_MULTI:
                List<Selection> chosen = new ArrayList<>();
                for (String name : value.trim().split("\\s+")) {
                    chosen.add(choice(prompt, name).selection());
                }
                return new SelectMultiData(chosen);
            default:
                break;
        }
        switch (prompt.getDataType()) {
            case Constants.DATATYPE_INTEGER:
                return new IntegerData(Integer.parseInt(value));
            case Constants.DATATYPE_DECIMAL:
                return new DecimalData(Double.parseDouble(value));
            default:
                return new StringData(value);
        }
    }

    private static SelectChoice choice(FormEntryPrompt prompt, String name) {
        for (SelectChoice choice : prompt.getSelectChoices()) {
            if (choice.getValue().equals(name)) {
                return choice;
            }
        }
        throw new IllegalArgumentException("no choice " + name);
    }
}

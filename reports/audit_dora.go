package reports

import "fmt"

var doraCols = []column{
	col("Template", 10), col("Column", 8), col("Rule", 12), col("Edit", 10), wrapCol("Row key", 28),
	wrapCol("What to fix", 60), idCol("Subject ID", 38),
}

// doraSheet lists the DORA register's pre-flight check, one issue a row,
// so that a team can work through it; when there is nothing to list, one
// row says why (clean, no entity, not checked, or the error).
func (a *auditWriter) doraSheet() error {
	s, err := a.start(SheetDora, doraCols)
	if err != nil {
		return err
	}
	note := func(msg string) error { return s.add("", "", "", "", "", msg, "") }
	d := a.opt.Dora
	switch {
	case d == nil:
		err = note("The DORA register was not checked for this workbook.")
	case d.Err != nil:
		err = note("The DORA register could not be checked: " + d.Err.Error())
	case d.Report == nil:
		err = note("The DORA register has no financial entity: nothing to check.")
	case d.Report.Clean():
		err = note(fmt.Sprintf("%s (%s, %s, reference date %s).", d.Report.Summary(), d.Report.EntityLEI,
			d.Report.Level, d.Report.ReferenceDate))
	default:
		for _, i := range d.Report.Issues {
			if err = s.add(i.Template, i.Column, i.Rule, i.Subject, i.Key, i.Message, i.SubjectID); err != nil {
				break
			}
		}
		if err == nil && d.Report.Truncated {
			err = note(fmt.Sprintf("Only the first %d of %d issues are listed: run vendorwatch dora check for all.",
				len(d.Report.Issues), d.Report.Errors))
		}
	}
	if err != nil {
		return fmt.Errorf("dora sheet: %w", err)
	}
	return a.done(s, nil, "DoraCheckTable")
}

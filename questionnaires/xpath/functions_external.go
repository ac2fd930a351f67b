package xpath

import "errors"

// Functions that read what the form carries beside its questions: the
// CSV files attached to it (pulldata) and the translations of secondary
// instance items (jr:itext). A Context provides them by implementing
// [DataSource] or [Translator]; without them the functions fail.

// DataSource is implemented by Contexts whose form has CSV files
// attached, for pulldata(file, column, keyColumn, key): the value of
// column in the first row whose keyColumn is key, "" when none is.
type DataSource interface {
	PullData(file, column, keyColumn, key string) (string, error)
}

// Translator is implemented by Contexts that can translate an itext id
// (jr:itext(id)): the text in the interview's language.
type Translator interface {
	Itext(id string) (string, error)
}

func init() {
	register(map[string]*function{
		"pulldata": {min: 4, max: 4, ret: kindString, eval: fnPullData},
		"jr:itext": {min: 1, max: 1, ret: kindString, eval: fnItext},
	})
}

func fnPullData(st *state, c *call) (Value, error) {
	a, err := st.stringArgs(c)
	if err != nil {
		return nil, err
	}
	ds, ok := st.ctx.(DataSource)
	if !ok {
		return nil, wrapAt(c, errors.New("pulldata() needs the CSV files attached to the form"))
	}
	v, err := ds.PullData(a[0], a[1], a[2], a[3])
	if err != nil {
		return nil, wrapAt(c, err)
	}
	return StringValue(v), nil
}

func fnItext(st *state, c *call) (Value, error) {
	id, err := st.str(c.args[0])
	if err != nil || id == "" {
		return StringValue(""), err
	}
	tr, ok := st.ctx.(Translator)
	if !ok {
		return nil, wrapAt(c, errors.New("jr:itext() needs the form's translations"))
	}
	v, err := tr.Itext(id)
	if err != nil {
		return nil, wrapAt(c, err)
	}
	return StringValue(v), nil
}

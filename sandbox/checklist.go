package sandbox

import (
	"strings"

	"github.com/runflow/runflow/internal/lazyregexp"
)

// To Do checklist items (todotask-list-checklistitems.md,
// todotask-post-checklistitems.md, checklistitem-get/update/delete.md):
// stored in their task's checklistItems, ids are GUIDs.

// maxChecklistItems bounds a task's checklist (To Do's apps allow 100
// steps; Graph documents no limit).
const maxChecklistItems = 100

var guidPattern = lazyregexp.New(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var checklistKind = &entityKind{
	typeName: "checklistItem",
	props:    []string{"id", "displayName", "createdDateTime", "checkedDateTime", "isChecked"},
	view:     func(c *call, o Object, z zone) Object { return cloneObject(o) },
}

func (c *call) checklistContext(entity bool) string {
	s := c.subject + "/todo/lists('" + c.ids[0] + "')/tasks('" + c.ids[1] + "')/checklistItems"
	if entity {
		s += "/$entity"
	}
	return c.contextURL(s)
}

// checklistView is a stored item as Graph answers it: checkedDateTime only
// once checked.
func checklistView(o Object) Object {
	v := cloneObject(o)
	if v["checkedDateTime"] == nil {
		delete(v, "checkedDateTime")
	}
	return v
}

func listChecklistItems(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(nil); err != nil {
		return result{}, err
	}
	l, i, err := c.findTask()
	if err != nil {
		return result{}, err
	}
	value := []any{}
	for _, it := range getArray(l.Tasks[i], "checklistItems") {
		value = append(value, checklistView(asObject(it)))
	}
	return ok(Object{"@odata.context": c.checklistContext(false), "value": value})
}

// findChecklistItem returns the task and the index of the item c.ids[2].
func (c *call) findChecklistItem() (Object, int, *graphError) {
	l, i, err := c.findTask()
	if err != nil {
		return nil, -1, err
	}
	if !guidPattern.MatchString(c.ids[2]) {
		return nil, -1, errIDMalformed()
	}
	t := l.Tasks[i]
	for j, it := range getArray(t, "checklistItems") {
		if strings.EqualFold(getString(asObject(it), "id"), c.ids[2]) {
			return t, j, nil
		}
	}
	return nil, -1, errNotFound()
}

func getChecklistItem(c *call) (result, *graphError) {
	if err := c.checkQueryOptions(map[string]bool{"$select": true}); err != nil {
		return result{}, err
	}
	sel, err := c.parseSelect(checklistKind)
	if err != nil {
		return result{}, err
	}
	t, j, err := c.findChecklistItem()
	if err != nil {
		return result{}, err
	}
	v := applySelect(checklistView(asObject(getArray(t, "checklistItems")[j])), sel)
	v["@odata.context"] = c.checklistContext(true)
	return ok(v)
}

// applyChecklistPatch sets displayName and isChecked (checkedDateTime
// follows isChecked, as To Do sets it) after checking them.
func applyChecklistPatch(it, patch Object, now string) *graphError {
	if v, ok := patch["displayName"]; ok {
		name, _ := v.(string)
		if strings.TrimSpace(name) == "" {
			return validationFailed("displayName", "a checklist item needs a non-empty displayName")
		}
		if len([]rune(name)) > 255 {
			return validationFailed("displayName", "displayName is longer than 255 characters")
		}
		it["displayName"] = name
	}
	if v, ok := patch["isChecked"].(bool); ok {
		if v && !getBool(it, "isChecked") {
			it["checkedDateTime"] = now
		}
		if !v {
			it["checkedDateTime"] = nil
		}
		it["isChecked"] = v
	}
	return nil
}

func createChecklistItem(c *call) (result, *graphError) {
	l, i, err := c.findTask()
	if err != nil {
		return result{}, err
	}
	patch, err := c.decodeObject(checklistItemType.get())
	if err != nil {
		return result{}, err
	}
	if _, ok := patch["displayName"]; !ok {
		return result{}, validationFailed("displayName", "a checklist item needs a displayName")
	}
	t := l.Tasks[i]
	items := getArray(t, "checklistItems")
	if len(items) >= maxChecklistItems {
		return result{}, validationFailed("checklistItems", "a task has at most 100 checklist items in the sandbox")
	}
	now := timestamp(c.s.now())
	it := Object{"displayName": "", "createdDateTime": now, "isChecked": false, "checkedDateTime": nil, "id": newGUID()}
	if err := applyChecklistPatch(it, patch, now); err != nil {
		return result{}, err
	}
	if err := c.s.edit(c.mbox, t, func(t Object) {
		t["checklistItems"] = append(getArray(t, "checklistItems"), it)
		t["lastModifiedDateTime"] = now
		t["@odata.etag"] = etagOf(newChangeKey())
	}); err != nil {
		return result{}, err
	}
	v := checklistView(it)
	v["@odata.context"] = c.checklistContext(true)
	return created(v)
}

func updateChecklistItem(c *call) (result, *graphError) {
	t, j, err := c.findChecklistItem()
	if err != nil {
		return result{}, err
	}
	patch, err := c.decodeObject(checklistItemType.get())
	if err != nil {
		return result{}, err
	}
	it := cloneObject(asObject(getArray(t, "checklistItems")[j]))
	now := timestamp(c.s.now())
	if err := applyChecklistPatch(it, patch, now); err != nil {
		return result{}, err
	}
	if err := c.s.edit(c.mbox, t, func(t Object) {
		getArray(t, "checklistItems")[j] = it
		t["lastModifiedDateTime"] = now
		t["@odata.etag"] = etagOf(newChangeKey())
	}); err != nil {
		return result{}, err
	}
	v := checklistView(it)
	v["@odata.context"] = c.checklistContext(true)
	return ok(v)
}

func deleteChecklistItem(c *call) (result, *graphError) {
	t, j, err := c.findChecklistItem()
	if err != nil {
		return result{}, err
	}
	now := timestamp(c.s.now())
	c.s.shrink(c.mbox, t, func(t Object) {
		items := getArray(t, "checklistItems")
		t["checklistItems"] = append(items[:j:j], items[j+1:]...)
		t["lastModifiedDateTime"] = now
		t["@odata.etag"] = etagOf(newChangeKey())
	})
	return noContent()
}

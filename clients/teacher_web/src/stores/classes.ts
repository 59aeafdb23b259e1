// The teacher's classes and their rosters, as the gateway has them.
import { defineStore } from "pinia";
import { ref } from "vue";

import type { ClassDetail, CourseCode, EssayErasureMode, SchoolClass, Student, StudentUpdate } from "@/api/types";
import { api } from "@/services";

const byName = (a: SchoolClass, b: SchoolClass) => a.name.localeCompare(b.name, "sv");

export const useClassesStore = defineStore("classes", () => {
  const classes = ref<SchoolClass[]>([]);
  const loaded = ref(false);
  const details = ref<Record<string, ClassDetail>>({});

  async function load() {
    classes.value = (await api.listClasses()).items;
    loaded.value = true;
  }

  async function create(name: string, courseCode: CourseCode) {
    const created = await api.createClass({ name: name.trim(), course_code: courseCode });
    classes.value = [...classes.value, created].sort(byName);
    return created;
  }

  async function loadDetail(classId: string) {
    const detail = await api.getClass(classId);
    details.value = { ...details.value, [classId]: detail };
    return detail;
  }

  async function rename(classId: string, name: string) {
    const updated = await api.updateClass(classId, { name: name.trim() });
    classes.value = classes.value.map((c) => (c.class_id === classId ? updated : c)).sort(byName);
    const detail = details.value[classId];
    if (detail) details.value = { ...details.value, [classId]: { ...detail, ...updated } };
    return updated;
  }

  async function remove(classId: string) {
    await api.deleteClass(classId);
    classes.value = classes.value.filter((c) => c.class_id !== classId);
    const { [classId]: _gone, ...rest } = details.value;
    details.value = rest;
  }

  async function importRoster(classId: string, file: File) {
    const result = await api.importRoster(classId, file);
    await loadDetail(classId);
    return result;
  }

  function replaceStudent(classId: string, student: Student | null, studentId: string) {
    const detail = details.value[classId];
    if (!detail) return;
    const students = detail.students ?? [];
    const next = student
      ? students.map((s) => (s.student_id === studentId ? student : s))
      : students.filter((s) => s.student_id !== studentId);
    details.value = { ...details.value, [classId]: { ...detail, students: next, student_count: next.length } };
  }

  async function updateStudent(classId: string, studentId: string, changes: StudentUpdate) {
    const updated = await api.updateStudent(studentId, changes);
    replaceStudent(classId, updated, studentId);
    return updated;
  }

  async function eraseStudent(classId: string, studentId: string, essays: EssayErasureMode) {
    await api.eraseStudent(studentId, essays);
    replaceStudent(classId, null, studentId);
  }

  return { classes, loaded, details, load, create, loadDetail, rename, remove, importRoster, updateStudent, eraseStudent };
});

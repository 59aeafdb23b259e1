import { mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { createAppI18n } from "@/i18n";

const fakeApi = vi.hoisted(() => ({ requestPipeline: vi.fn() }));
vi.mock("@/services", () => ({ api: fakeApi, http: {}, connectAuth: vi.fn() }));

const { default: PipelinePanel } = await import("@/components/PipelinePanel.vue");

function panel(canRun = true) {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(PipelinePanel, {
    props: { batchId: "b1", canRun, started: false },
    global: { plugins: [pinia, createAppI18n("en")] },
  });
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("the pipeline panel", () => {
  beforeEach(() => {
    fakeApi.requestPipeline.mockReset();
    fakeApi.requestPipeline.mockResolvedValue({ request_id: "r1", replayed: false });
  });

  it("runs spelling only by default, without categories", async () => {
    const wrapper = panel();
    expect(wrapper.find("#grammar-categories").exists()).toBe(false);
    await wrapper.get("#run-pipeline").trigger("click");
    await flush();
    expect(fakeApi.requestPipeline).toHaveBeenCalledWith("b1", { pipeline: "spellcheck" }, expect.any(String));
    expect(wrapper.text()).toContain("Processing has started.");
    expect(wrapper.emitted("requested")).toHaveLength(1);
  });

  it("shows every category checked for grammar and sends the ones unticked", async () => {
    const wrapper = panel();
    await wrapper.get('[data-pipeline="spellcheck+grammar"]').setValue(true);
    const boxes = wrapper.findAll("#grammar-categories input[type=checkbox]");
    expect(boxes).toHaveLength(10);
    expect(boxes.every((box) => (box.element as HTMLInputElement).checked)).toBe(true);
    await wrapper.get('[data-category="STYLE"]').setValue(false);
    await wrapper.get('[data-category="TYPOGRAPHY"]').setValue(false);
    await wrapper.get("#run-pipeline").trigger("click");
    await flush();
    expect(fakeApi.requestPipeline).toHaveBeenCalledWith(
      "b1",
      { pipeline: "spellcheck+grammar", disabled_grammar_categories: ["TYPOGRAPHY", "STYLE"] },
      expect.any(String),
    );
  });

  it("will not start grammar with every category unticked", async () => {
    const wrapper = panel();
    await wrapper.get('[data-pipeline="spellcheck+grammar"]').setValue(true);
    for (const box of wrapper.findAll("#grammar-categories input[type=checkbox]")) await box.setValue(false);
    expect(wrapper.get("#run-pipeline").attributes("disabled")).toBeDefined();
    expect(wrapper.text()).toContain("Tick at least one category");
  });

  it("cannot run before the batch is ready", () => {
    const wrapper = panel(false);
    expect(wrapper.get("#run-pipeline").attributes("disabled")).toBeDefined();
    expect(wrapper.text()).toContain("The batch is not ready yet.");
  });
});

/*
 * The IntelLedger nodes in Node-RED's editor: their registration, with the fields they all
 * have, and their edit forms. Each node's page lists its fields as rows, each with its default;
 * this file says once how a row looks and what every node has besides, so the nodes' forms stay
 * alike. Node-RED loads it (from this package's resources/ folder) before the scripts of a page
 * that names it.
 */
/* global RED, $ -- Node-RED's editor API and its jQuery, on the page before this file runs */
(function () {
  const CHANNELS = ["temperature", "humidity", "vibration", "analog"];
  /** What of a row Node-RED takes as the field's default: its value, and what a setting must be. */
  const DEFAULTS_KEYS = ["value", "type", "required", "validate"];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function inputId(field) {
    return `node-input-${field}`;
  }

  /** A text input, or a select when the row has options ([value, label] pairs). */
  function control(row) {
    const id = inputId(row.field);
    const style = row.width ? ` style="width: ${row.width}"` : "";
    if (row.options) {
      const options = row.options
        .map(([value, label]) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`)
        .join("");
      return `<select id="${id}"${style}>${options}</select>`;
    }
    const placeholder = row.placeholder ? ` placeholder="${escapeHtml(row.placeholder)}"` : "";
    return `<input type="text" id="${id}"${style}${placeholder} />`;
  }

  /** One form row: a labelled control with optional text before and after it, and an optional second labelled control. */
  function formRow(row) {
    const id = inputId(row.field);
    if (row.checkbox) {
      return (
        `<div class="form-row"><label for="${id}">&nbsp;</label>` +
        `<input type="checkbox" id="${id}" style="display: inline-block; width: auto; vertical-align: top" />` +
        `<label for="${id}" style="width: auto">${escapeHtml(row.checkbox)}</label></div>`
      );
    }
    const before = row.before ? `${escapeHtml(row.before)} ` : "";
    const after = row.after ? ` ${escapeHtml(row.after)}` : "";
    const inline = row.inline
      ? ` <label for="${inputId(row.inline.field)}" style="width: auto">${escapeHtml(row.inline.label)}</label> ` +
        control(row.inline)
      : "";
    return (
      `<div class="form-row"><label for="${id}"><i class="fa fa-${row.icon}"></i> ${escapeHtml(row.label)}</label>` +
      `${before}${control(row)}${after}${inline}</div>`
    );
  }

  /** Rows several nodes share. */
  const rows = {
    gateway: { field: "gateway", value: "", type: "intelledger-gateway", required: true, icon: "server", label: "Gateway" },
    name: { field: "name", value: "", icon: "tag", label: "Name" },
    devices: {
      field: "devices",
      value: "",
      icon: "microchip",
      label: "Devices",
      placeholder: "all devices (or: press-01, line-2-*)",
    },
    /** The channel filter: any channel, or one of the four. */
    channelFilter: {
      field: "channel",
      value: "any",
      icon: "sliders",
      label: "Channel",
      options: [["any", "any"], ...CHANNELS.map((channel) => [channel, channel])],
    },
    channels: CHANNELS.map((channel) => [channel, channel]),
  };

  /** Node-RED's defaults entries for a row's field and its inline field. */
  function defaultsOf(row) {
    const setting = Object.fromEntries(DEFAULTS_KEYS.filter((key) => key in row).map((key) => [key, row[key]]));
    const entry = [row.field, setting];
    return row.inline ? [entry, ...defaultsOf(row.inline)] : [entry];
  }

  /**
   * Declares the edit form of node `type`: Node-RED reads a node's form from its template
   * element when the edit dialog opens.
   */
  function form(type, formRows) {
    const template = document.createElement("script");
    template.type = "text/html";
    template.dataset.templateName = type;
    template.textContent = formRows.map(formRow).join("\n");
    document.body.appendChild(template);
  }

  /** In the open form, shows each row with `shownWhen: [field, value]` only while that field is set to that value. */
  function showRowsByChoice(formRows) {
    for (const row of formRows.filter((row) => row.shownWhen)) {
      const [field, value] = row.shownWhen;
      const choice = $(`#${inputId(field)}`);
      const shown = $(`#${inputId(row.field)}`).closest(".form-row");
      choice.on("change", () => shown.toggle(choice.val() === value)).trigger("change");
    }
  }

  /**
   * Registers node `type` in the palette's IntelLedger category with its edit form. Its `palette`
   * says how it looks there: its label, its Font Awesome icon, its colour, its inputs and outputs
   * (and `align`). Its `fields` are its own form rows; every IntelLedger node also has the gateway
   * it works with, first in its form, and its name, last. Its label is its name, else what its
   * `label` makes of its settings, else its palette label.
   */
  function node(type, { palette, label, fields }) {
    const { label: paletteLabel, icon, ...look } = palette;
    const formRows = [rows.gateway, ...fields, rows.name];
    RED.nodes.registerType(type, {
      category: "IntelLedger",
      ...look,
      paletteLabel,
      icon: `font-awesome/fa-${icon}`,
      defaults: Object.fromEntries(formRows.flatMap(defaultsOf)),
      label: function () {
        return this.name || (label && label.call(this)) || paletteLabel;
      },
      oneditprepare: () => showRowsByChoice(formRows),
    });
    form(type, formRows);
  }

  /**
   * Registers node `type` that sends stored readings, one message each: like every such node it has
   * no input, keeps the devices and the channel its first rows name, and is labelled by that channel
   * and its palette label (e.g. "vibration anomalies"). Its `fields` come after those rows.
   */
  function readingSource(type, { palette, fields }) {
    node(type, {
      palette: { ...palette, inputs: 0, outputs: 1 },
      label: function () {
        return this.channel && this.channel !== "any" && `${this.channel} ${palette.label}`;
      },
      fields: [rows.devices, rows.channelFilter, ...fields],
    });
  }

  window.IntelLedgerEditor = { node, readingSource, rows };
})();

// Marks the fields the anonymity guard's message points at (anonymity/wagtail_hooks.py).
// A refused publish redirects back to the edit form, which Wagtail renders without
// errors; the message links carry the field name and the problem, and this shows each
// problem on its field the way Wagtail shows a validation error, so the tab's error
// count includes it too.
(function () {
  function mark() {
    document.querySelectorAll('a[data-anonymity-field]').forEach(function (link) {
      var name = link.getAttribute('data-anonymity-field');
      var field = document.querySelector('[data-contentpath="' + CSS.escape(name) + '"]');
      if (!field) return;
      var errors = field.querySelector('[data-field-errors]');
      field.classList.add('w-field--error');
      var input = field.querySelector('input, textarea, select');
      if (input) input.setAttribute('aria-invalid', 'true');
      if (!errors) return;
      var message = document.createElement('p');
      message.className = 'error-message';
      message.textContent = link.getAttribute('data-anonymity-problem');
      errors.appendChild(message);
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mark);
  } else {
    mark();
  }
})();
